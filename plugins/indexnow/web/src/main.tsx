// Entry point of the indexnow UI.
import { mountApp } from "@temps-bundle/kit";
import { App } from "./App.tsx";

mountApp(App);
