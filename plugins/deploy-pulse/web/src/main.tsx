// Entry point of the deploy-pulse UI.
import { mountApp } from "@temps-bundle/kit";
import { App } from "./App.tsx";

mountApp(App);
