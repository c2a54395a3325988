/** src/report/fold.ts: names folded by the table exactly as Unicode normalisation folds them. */
import { describe, expect, it } from 'vitest';
import { foldName } from '../../src/report/fold.js';

const byNormalisation = (name: string) => name.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();

describe('foldName', () => {
  it('folds every code point of the Basic Multilingual Plane as normalize(NFD) does', () => {
    for (let code = 0; code <= 0xffff; code++) {
      if (code >= 0xd800 && code <= 0xdfff) continue;
      const character = String.fromCharCode(code);
      expect(foldName(character), `U+${code.toString(16).padStart(4, '0')}`).toBe(byNormalisation(character));
    }
  });

  it('folds place names, mixed scripts, decomposed input and letters outside the plane the same way', () => {
    for (const name of ['Île-de-France', 'Réunion', "Côte d'Ivoire", 'São Tomé and Príncipe', 'Åland Islands', 'Curaçao', 'Hà Nội', 'Łódź', 'Αθήνα', 'Re\u0301union', 'Zürich 𝔸', '']) {
      expect(foldName(name), name).toBe(byNormalisation(name));
    }
    expect(foldName('Réunion')).toBe(foldName('Reunion'));
  });
});
