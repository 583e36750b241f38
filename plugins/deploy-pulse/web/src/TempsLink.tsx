// A link to the project's page in the Temps console. The UI runs in the console's iframe: the link opens in the top
// window, not inside the frame.
import type { ReactNode } from "react";

export function TempsLink({ url, children = "Open in Temps" }: { url: string | null; children?: ReactNode }) {
  if (!url) return null;
  return (
    <a href={url} target="_top" rel="noopener">
      {children}
    </a>
  );
}
