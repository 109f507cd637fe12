// Writes the events Strudel's own mini-notation gives for each pattern of a list: the
// reference for patchvm-pattern's differential test (pattern/tests/mini/strudel.rs).
//
//   node --import ./register-stub.mjs events.mjs PATTERNS.txt > EVENTS.json
//
// PATTERNS.txt holds one pattern a line. For each, the events with an onset in cycles 0..4
// (Strudel's haps that start), each with its whole as exact fractions, its value (a note
// name as Strudel's noteToMidi reads it, a number, or a word) and the velocity written
// with `:`; or the parse error when Strudel refuses the pattern.
import { readFileSync } from 'node:fs';

// Strudel greets on the console when it loads: keep stdout for the JSON.
console.log = (...args) => console.error(...args);
const { mini } = await import('@strudel/mini');
const { noteToMidi, tokenizeNote } = await import('@strudel/core');

const CYCLES = 4;

function value(v) {
  if (typeof v === 'number') {
    return { number: v };
  }
  const [pc] = tokenizeNote(v);
  if (pc) {
    const note = noteToMidi(v);
    if (Number.isFinite(note)) {
      return { note };
    }
  }
  return { word: v };
}

function event(hap) {
  const [v, velocity] = Array.isArray(hap.value) ? hap.value : [hap.value, null];
  return {
    begin: hap.whole.begin.toFraction(),
    end: hap.whole.end.toFraction(),
    value: value(v),
    velocity,
  };
}

const patterns = readFileSync(process.argv[2], 'utf8').split('\n').filter((line) => line.length > 0);
const results = patterns.map((pattern) => {
  try {
    const haps = mini(pattern).queryArc(0, CYCLES).filter((hap) => hap.hasOnset());
    return { pattern, events: haps.map(event) };
  } catch (error) {
    return { pattern, error: String(error.message).split('\n')[0] };
  }
});
// One pattern a line, so that a change to the reference reads as a small diff.
process.stdout.write('[\n' + results.map((r) => JSON.stringify(r)).join(',\n') + '\n]\n');
