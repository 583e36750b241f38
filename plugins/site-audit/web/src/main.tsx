// Entry point of the site-audit UI.
import { mountApp } from "@temps-bundle/kit";
import { App } from "./App.tsx";

mountApp(App);
