// The CLI entry run from source (`npm start -w @fq/emulator`, tsx); the built one is
// bin/fq-firestore-emulator.mjs, which loads the same runCli from dist/.
import { runCli } from './cli-main.js';

void runCli(process.argv.slice(2));
