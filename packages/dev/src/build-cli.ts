/* `dff build`: compiles the project (and the workspace packages it references) to dist/. */
import { runBuild } from './lib/build';

runBuild({ clean: process.argv.includes('--clean') }).then(
  (result) => {
    for (const line of result.lines) console.log(line);
    process.exit(result.ok ? 0 : 1);
  },
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : String(err));
    process.exit(1);
  },
);
