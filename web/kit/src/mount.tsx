// mountApp: renders a UI's root component into `#root` in StrictMode; the one-liner every `main.tsx` calls.
import { StrictMode, type ComponentType } from "react";
import { createRoot } from "react-dom/client";

export function mountApp(App: ComponentType): void {
  const element = document.getElementById("root");
  if (!element) throw new Error("index.html has no #root element");
  createRoot(element).render(
    <StrictMode>
      <App />
    </StrictMode>,
  );
}
