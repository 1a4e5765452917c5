/** The specs run the built app: build first when out/ is missing or older than the sources. */
import { ensureBuild } from '../scripts/ensure-build.mjs';

export default function globalSetup(): void {
  ensureBuild();
}
