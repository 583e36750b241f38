// Entry point of the hello UI.
import { mountApp } from "@temps-bundle/kit";
import { App } from "./App.tsx";

mountApp(App);
