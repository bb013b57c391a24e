// `npm run reset`: deletes the data folder (databases, signing keys, mail). The next start begins fresh.
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const dataDir = path.resolve(process.env.DATA_DIR ?? path.join(root, 'data'));
fs.rmSync(dataDir, { recursive: true, force: true });
console.log(`removed ${dataDir}`);
