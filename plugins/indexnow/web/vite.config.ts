// Vite config of the indexnow UI: the kit's shared config, nothing of its own.
import { tempsUiConfig } from "@temps-bundle/kit/vite";

export default tempsUiConfig();
