// Entry point of the shell UI.
import { mountApp } from "@temps-bundle/kit";
import { App } from "./App.tsx";

mountApp(App);
