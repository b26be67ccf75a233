// Regenerate docs/cases.md from the built catalogue (run after `npm run build`).
import { writeFileSync } from 'node:fs';
import { renderCaseCatalogue } from '../dist/harness/cases/catalogue-doc.js';
writeFileSync(new URL('../docs/cases.md', import.meta.url), renderCaseCatalogue());
console.log('wrote docs/cases.md');
