#!/usr/bin/env node
// validate.mjs - checks STIX 2.1 objects against the OASIS STIX 2.1 JSON schemas.
//
// vigil's own validator (src/stix/) is the one that decides what gets into a
// store; this script is an independent second opinion used by the tests: every
// object vigil exports (or generates with `vigil sample`) must also pass the
// non-normative OASIS schemas (cti-stix2-json-schemas, draft 2020-12).
//
//   node validate.mjs [--schemas DIR] [--allow FILE] [--max-errors N] FILE...
//
// FILE is a bundle, a single object, a JSON array of objects or JSON lines
// (one object or bundle per line); a name ending in .gz is gunzipped. Each
// object is validated against the schema of its type; objects of custom types
// (no schema in the folder) are skipped and counted. An object the schemas
// reject although the specification allows it can be excused by an entry in the
// allow-list (allow-list.json beside this script by default), which names the
// exact object id, the instance path, the schema keyword and the reason.
//
// Prints "schema: N valid, M invalid, K skipped[, A allowed]" and, for every
// invalid object, its id, the instance path and the message of each error.
// Exit status: 0 all valid, 1 some object invalid, 2 bad usage or unreadable input.
// Nothing is fetched from the network: every $ref resolves to a schema loaded
// from the folder (by its $id), and Ajv has no loader to go further.
//
// Runs on Node 18 (Debian 12's nodejs) and later.

import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { domainToASCII, fileURLToPath } from 'node:url';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '..', '..');

function usage(out) {
    out.write(
        'usage: node validate.mjs [--schemas DIR] [--allow FILE] [--max-errors N] FILE...\n' +
            '  --schemas DIR     the OASIS schemas folder (default: $VIGIL_SHARED or ../shared,\n' +
            '                    then spec/stix2-json-schemas/schemas)\n' +
            '  --allow FILE      allow-list of known schema false positives\n' +
            '                    (default: allow-list.json beside this script; "none" for none)\n' +
            '  --max-errors N    errors printed per invalid object (default 10)\n' +
            '  --max-invalid N   invalid objects printed in full (default 50; the count is always exact)\n' +
            '  -q, --quiet       print only the summary line\n'
    );
}

function parseArgs(argv) {
    const opts = { files: [], schemas: null, allow: null, maxErrors: 10, maxInvalid: 50, quiet: false };
    for (let i = 0; i < argv.length; i++) {
        const a = argv[i];
        const value = () => {
            if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
            return argv[++i];
        };
        if (a === '--schemas') opts.schemas = value();
        else if (a === '--allow') opts.allow = value();
        else if (a === '--max-errors') opts.maxErrors = Number.parseInt(value(), 10);
        else if (a === '--max-invalid') opts.maxInvalid = Number.parseInt(value(), 10);
        else if (a === '-q' || a === '--quiet') opts.quiet = true;
        else if (a === '-h' || a === '--help') opts.help = true;
        else if (a.startsWith('-') && a !== '-') throw new Error(`unknown option ${a}`);
        else opts.files.push(a);
    }
    for (const k of ['maxErrors', 'maxInvalid'])
        if (!Number.isInteger(opts[k]) || opts[k] < 0) throw new Error(`--max-${k.slice(3).toLowerCase()} needs a number >= 0`);
    return opts;
}

function defaultSchemaDir() {
    const shared = process.env.VIGIL_SHARED || path.join(repoRoot, '..', 'shared');
    return path.join(shared, 'spec', 'stix2-json-schemas', 'schemas');
}

function listJson(dir) {
    const out = [];
    for (const ent of fs.readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, ent.name);
        if (ent.isDirectory()) out.push(...listJson(p));
        else if (ent.isFile() && ent.name.endsWith('.json')) out.push(p);
    }
    return out.sort();
}

// Loads every schema of the folder into one Ajv instance (they $ref each other
// by relative paths resolved against their $id) and returns a map from STIX
// type to the compiled validator of that type's schema.
function loadSchemas(dir) {
    const ajv = new Ajv2020({
        allErrors: true, // report every problem of an object, not only the first
        strict: false, // strict mode refuses e.g. core.json's not/anyOf/required of undefined properties
        validateFormats: true,
        // The schemas' regexes are written for plain ECMA-262 regexes ("\\-" outside a
        // class), which the 'u' flag rejects; draft 2020-12 allows either.
        unicodeRegExp: false,
    });
    addFormats(ajv);
    // domain-name.json uses "idn-hostname", which ajv-formats lacks: map the name
    // to ASCII (punycode) as a resolver would and check that as a hostname.
    const hostname = ajv.formats.hostname;
    const hostnameOk = (s) => (hostname instanceof RegExp ? hostname.test(s) : hostname.validate.test(s));
    ajv.addFormat('idn-hostname', (s) => {
        const ascii = domainToASCII(s);
        return ascii !== '' && ascii.length <= 253 && hostnameOk(ascii);
    });
    const files = listJson(dir);
    if (files.length === 0) throw new Error(`no *.json schema in ${dir}`);
    const byType = new Map();
    const ids = [];
    for (const f of files) {
        const schema = JSON.parse(fs.readFileSync(f, 'utf8'));
        if (!schema.$id) throw new Error(`${f}: schema without $id`);
        ajv.addSchema(schema);
        const folder = path.basename(path.dirname(f));
        const name = path.basename(f, '.json');
        // sdos/, sros/ and observables/ hold one schema per type, named after it;
        // of common/, only these describe top-level objects.
        const topLevelCommon = ['marking-definition', 'language-content', 'extension-definition'];
        if (folder !== 'common' || topLevelCommon.includes(name)) ids.push([name, schema.$id]);
    }
    for (const [type, id] of ids) {
        const validate = ajv.getSchema(id); // compiles, resolving every $ref locally
        if (!validate) throw new Error(`cannot compile the schema of ${type}`);
        byType.set(type, validate);
    }
    const identifier = ajv.getSchema(
        'http://raw.githubusercontent.com/oasis-open/cti-stix2-json-schemas/stix2.1/schemas/common/identifier.json'
    );
    return { byType, identifier, count: files.length };
}

// The allow-list: [{ "id": "...", "instancePath": "/x", "keyword": "pattern", "reason": "..." }].
function loadAllowList(file) {
    if (!file || file === 'none' || !fs.existsSync(file)) return [];
    const doc = JSON.parse(fs.readFileSync(file, 'utf8'));
    const list = Array.isArray(doc) ? doc : doc.entries;
    if (!Array.isArray(list)) throw new Error(`${file}: expected an array of entries`);
    for (const [i, e] of list.entries()) {
        for (const k of ['id', 'instancePath', 'keyword', 'reason'])
            if (typeof e[k] !== 'string' || (k !== 'instancePath' && e[k] === ''))
                throw new Error(`${file}: entry ${i} needs a string "${k}"`);
    }
    return list;
}

function readInput(file) {
    let data = file === '-' ? fs.readFileSync(0) : fs.readFileSync(file);
    if (file.endsWith('.gz')) data = zlib.gunzipSync(data);
    return data.toString('utf8');
}

// Yields [object, where] for every top-level object of the file.
function* objectsOf(file, text, envelopes) {
    const unwrap = function* (doc, where) {
        if (Array.isArray(doc)) {
            for (const [i, o] of doc.entries()) yield [o, `${where}[${i}]`];
        } else if (doc && typeof doc === 'object' && doc.type === 'bundle') {
            envelopes.push([doc, where]);
            const objs = Array.isArray(doc.objects) ? doc.objects : [];
            for (const [i, o] of objs.entries()) yield [o, `${where} objects[${i}]`];
        } else {
            yield [doc, where];
        }
    };
    const trimmed = text.trimStart();
    let whole;
    try {
        whole = JSON.parse(text);
    } catch (e) {
        if (!trimmed.startsWith('{')) throw new Error(`${file}: not JSON: ${e.message}`);
        whole = undefined; // maybe JSON lines
    }
    if (whole !== undefined) {
        yield* unwrap(whole, file);
        return;
    }
    const lines = text.split('\n');
    for (const [n, line] of lines.entries()) {
        if (line.trim() === '') continue;
        let doc;
        try {
            doc = JSON.parse(line);
        } catch (e) {
            throw new Error(`${file}:${n + 1}: not JSON: ${e.message}`);
        }
        yield* unwrap(doc, `${file}:${n + 1}`);
    }
}

function allowed(allow, obj, err) {
    return allow.find(
        (a) => a.id === obj.id && a.instancePath === err.instancePath && a.keyword === err.keyword
    );
}

function main() {
    let opts;
    try {
        opts = parseArgs(process.argv.slice(2));
    } catch (e) {
        process.stderr.write(`validate.mjs: ${e.message}\n`);
        usage(process.stderr);
        return 2;
    }
    if (opts.help) {
        usage(process.stdout);
        return 0;
    }
    if (opts.files.length === 0) {
        usage(process.stderr);
        return 2;
    }
    const schemaDir = opts.schemas || defaultSchemaDir();
    let schemas, allow;
    try {
        schemas = loadSchemas(schemaDir);
        allow = loadAllowList(opts.allow ?? path.join(here, 'allow-list.json'));
    } catch (e) {
        process.stderr.write(`validate.mjs: ${e.message}\n`);
        return 2;
    }

    const tally = { valid: 0, invalid: 0, skipped: 0, allowed: 0 };
    const skippedTypes = new Map();
    const usedAllow = new Set();
    const out = process.stdout;
    for (const file of opts.files) {
        let text;
        const envelopes = [];
        try {
            text = readInput(file);
            for (const [obj, where] of objectsOf(file, text, envelopes)) {
                if (!obj || typeof obj !== 'object' || Array.isArray(obj) || typeof obj.type !== 'string') {
                    tally.invalid++;
                    out.write(`INVALID ${where}: not a STIX object (an object with a "type")\n`);
                    continue;
                }
                const validate = schemas.byType.get(obj.type);
                if (!validate) {
                    tally.skipped++;
                    skippedTypes.set(obj.type, (skippedTypes.get(obj.type) || 0) + 1);
                    continue;
                }
                if (validate(obj)) {
                    tally.valid++;
                    continue;
                }
                const errs = validate.errors.filter((e) => {
                    const a = allowed(allow, obj, e);
                    if (a) usedAllow.add(a);
                    return !a;
                });
                if (errs.length === 0) {
                    tally.allowed++;
                    continue;
                }
                tally.invalid++;
                if (opts.quiet || tally.invalid > opts.maxInvalid) continue;
                out.write(`INVALID ${obj.id ?? '(no id)'} (${where})\n`);
                for (const e of errs.slice(0, opts.maxErrors)) {
                    const params = e.keyword === 'additionalProperties' ? ` '${e.params.additionalProperty}'` : '';
                    out.write(`  ${e.instancePath || '/'}: ${e.message}${params} [${e.keyword} at ${e.schemaPath}]\n`);
                }
                if (errs.length > opts.maxErrors) out.write(`  ... and ${errs.length - opts.maxErrors} more\n`);
            }
        } catch (e) {
            process.stderr.write(`validate.mjs: ${e.message}\n`);
            return 2;
        }
        for (const [b, where] of envelopes) {
            if (typeof b.id !== 'string' || !schemas.identifier(b.id) || !b.id.startsWith('bundle--')) {
                tally.invalid++;
                out.write(`INVALID bundle ${where}: id ${JSON.stringify(b.id)} is not bundle--<UUID>\n`);
            }
        }
    }
    if (!opts.quiet && tally.invalid > opts.maxInvalid)
        out.write(`... ${tally.invalid - opts.maxInvalid} more invalid objects not shown (--max-invalid)\n`);
    if (!opts.quiet && skippedTypes.size > 0) {
        const list = [...skippedTypes].map(([t, n]) => `${t} ${n}`).join(', ');
        out.write(`skipped (custom types, no OASIS schema): ${list}\n`);
    }
    let summary = `schema: ${tally.valid} valid, ${tally.invalid} invalid, ${tally.skipped} skipped`;
    if (tally.allowed > 0 || allow.length > 0)
        summary += `, ${tally.allowed} allowed (${usedAllow.size} of ${allow.length} allow-list entries used)`;
    out.write(summary + '\n');
    return tally.invalid > 0 ? 1 : 0;
}

process.exitCode = main();
