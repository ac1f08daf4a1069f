// Validates a district CSV with the Frictionless Table Schema validator
// for JavaScript (npm tableschema 1.x), as a peer of `landingd validate`:
// the agreed field list is turned into a plain Table Schema (types,
// required, ranges, lengths, codes as enum, the primary key) over the
// columns the file's header names, in its order (the validator wants the
// header to match the schema exactly, where landingd allows optional
// fields to be left out), and every row is cast and checked, errors
// counted rather than thrown.
//
//   node tableschema.js SCHEMA.json FILE.csv
const fs = require('fs');
const { Table } = require('tableschema');

const [, , schemaPath, csvPath] = process.argv;
const agreed = JSON.parse(fs.readFileSync(schemaPath, 'utf8'));
const fd = fs.openSync(csvPath, 'r');
const head = Buffer.alloc(64 * 1024);
const header = head.subarray(0, fs.readSync(fd, head)).toString('utf8').split(/\r?\n/)[0].split(',');
fs.closeSync(fd);
const byName = new Map(agreed.fields.map((f) => [f.name, f]));
const schema = {
  primaryKey: agreed.primaryKey,
  missingValues: [''],
  fields: header.map((h) => byName.get(h)).map((f) => {
    const c = Object.assign({}, f.constraints || {});
    if (f.categories) c.enum = f.categories.map((k) => k.value);
    const out = { name: f.name, type: f.type, constraints: c };
    if (f.type === 'boolean') {
      out.trueValues = ['true', 'yes', 'y', '1'];
      out.falseValues = ['false', 'no', 'n', '0'];
    }
    return out;
  }),
};

(async () => {
  const table = await Table.load(csvPath, { schema });
  const stream = await table.iter({ stream: true, forceCast: true });
  let rows = 0;
  let errors = 0;
  stream.on('data', (row) => {
    rows++;
    if (row instanceof Error) errors++;
  });
  stream.on('end', () => console.log(`rows=${rows} errors=${errors}`));
  stream.on('error', (e) => { console.error(e.message); process.exit(1); });
})();
