// useWidth: the rendered width of an element, kept up to date with a ResizeObserver, so charts draw at the size
// they are shown (text stays at its CSS size instead of being scaled with the SVG).
import { useLayoutEffect, useRef, useState, type RefObject } from "react";

export function useWidth<E extends HTMLElement>(fallback: number): [RefObject<E | null>, number] {
  const ref = useRef<E>(null);
  const [width, setWidth] = useState(fallback);
  useLayoutEffect(() => {
    const element = ref.current;
    if (!element) return;
    const update = () => setWidth(Math.max(120, Math.round(element.getBoundingClientRect().width)));
    update();
    const observer = new ResizeObserver(update);
    observer.observe(element);
    return () => observer.disconnect();
  }, []);
  return [ref, width];
}
