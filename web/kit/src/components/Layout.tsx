// Page and Card: the two layout boxes every screen is made of (a centred column, and bordered sections in it).
import type { ReactNode } from "react";

export function Page({ children }: { children: ReactNode }) {
  return <main className="tk-page">{children}</main>;
}

export interface CardProps {
  title?: ReactNode;
  children: ReactNode;
}

export function Card({ title, children }: CardProps) {
  return (
    <section className="tk-card">
      {title !== undefined && <h2>{title}</h2>}
      {children}
    </section>
  );
}
