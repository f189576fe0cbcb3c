// Parses Mermaid files with Mermaid's own parser (the npm packages mermaid and jsdom, found
// through NODE_PATH): the check that @mermaid-js/mermaid-cli would make, without the browser
// it needs.  Prints one line per file; exits 1 when one does not parse.
// Usage: NODE_PATH=DIR/node_modules node tests/tools/mermaid-parse.mjs FILE...
import { createRequire } from 'module';
import fs from 'fs';

const require = createRequire(process.env.NODE_PATH.split(':')[0] + '/');
const { JSDOM } = require('jsdom');
const window = new JSDOM('<!doctype html><body></body>').window;
globalThis.window = window;
globalThis.document = window.document;
const mermaid = (await import(require.resolve('mermaid'))).default;
mermaid.initialize({ startOnLoad: false });

let failed = 0;
for (const file of process.argv.slice(2)) {
    try {
        const r = await mermaid.parse(fs.readFileSync(file, 'utf8'));
        console.log(`${file}: ${r.diagramType}`);
    } catch (e) {
        failed++;
        console.log(`${file}: does not parse: ${String(e.message || e).slice(0, 300)}`);
    }
}
process.exit(failed ? 1 : 0);
