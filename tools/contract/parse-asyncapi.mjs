// Parses an AsyncAPI document with @asyncapi/parser (its own validation: the AsyncAPI schema and the
// spectral rules it ships) and prints every diagnostic, one line each.
//   node tools/contract/parse-asyncapi.mjs docs/asyncapi.yaml
// Exit code: 0 when the document parsed with no error-level diagnostic (warnings are printed, not
// fatal), 1 when there was one, or the document did not come out of the parser at all.
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Parser, DiagnosticSeverity } from '@asyncapi/parser';

const file = process.argv[2];
if (!file) {
  console.error('usage: node parse-asyncapi.mjs <asyncapi.yaml>');
  process.exit(2);
}

const source = resolve(file);
const { document, diagnostics } = await new Parser().parse(await readFile(source, 'utf8'), { source });

const names = { [DiagnosticSeverity.Error]: 'error', [DiagnosticSeverity.Warning]: 'warning', [DiagnosticSeverity.Information]: 'info', [DiagnosticSeverity.Hint]: 'hint' };
for (const d of diagnostics) {
  const where = d.path?.length ? d.path.join('.') : '(document)';
  const line = d.range ? `${d.range.start.line + 1}:${d.range.start.character + 1}` : '-';
  console.log(`  ${names[d.severity] ?? d.severity} ${d.code} at ${where} (line ${line}): ${d.message}`);
}

const errors = diagnostics.filter((d) => d.severity === DiagnosticSeverity.Error).length;
const warnings = diagnostics.filter((d) => d.severity === DiagnosticSeverity.Warning).length;
if (!document && errors === 0) {
  console.log('  error: the parser returned no document');
  process.exit(1);
}
if (document) {
  // Count what was read, so a document that parsed to nothing does not pass unnoticed.
  const channels = document.channels().length, operations = document.operations().length, messages = document.allMessages().length;
  console.log(`  AsyncAPI ${document.version()}: ${channels} channels, ${operations} operations, ${messages} messages; ${errors} errors, ${warnings} warnings`);
  if (channels === 0 || messages === 0) {
    console.log('  error: the document declares no channel or no message');
    process.exit(1);
  }
}
process.exit(errors > 0 ? 1 : 0);
