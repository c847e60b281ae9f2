// prepack of @hbmscope/model: build, then copy the docs its README and its terms' sources cite
// (docs/estimator.md, docs/simulator.md) into the package, so every reference resolves for an npm user.
import { execSync } from "node:child_process";
import { copyFileSync, mkdirSync } from "node:fs";

execSync("pnpm run build", { stdio: "inherit" });
mkdirSync("docs", { recursive: true });
for (const f of ["estimator.md", "simulator.md"]) copyFileSync(new URL(`../docs/${f}`, import.meta.url), `docs/${f}`);
