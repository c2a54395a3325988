/**
 * Names compared without their accents, for the place names of reports: "Reunion" (GeoNames) and
 * "Réunion" (country-coder) are one name. `String.prototype.normalize` does this for any text, but its
 * first call loads Unicode data (~1.5 ms of a one-photo scan); the Latin letters of place names are
 * folded here from a table instead, and anything else still goes through normalisation.
 *
 * The table: every code point of U+0080–U+02FF and U+1E00–U+1EFF whose canonical decomposition is
 * one ASCII letter followed by combining marks, beside that letter. test/report/fold.test.ts checks
 * it against `normalize('NFD')` code point by code point.
 */
const accented = [
  'ÀÁÂÃÄÅÇÈÉÊËÌÍÎÏÑÒÓÔÕÖÙÚÛÜÝàáâãäåçèéêëìíîïñòóôõöùúûüýÿĀāĂăĄąĆćĈĉĊ',
  'ċČčĎďĒēĔĕĖėĘęĚěĜĝĞğĠġĢģĤĥĨĩĪīĬĭĮįİĴĵĶķĹĺĻļĽľŃńŅņŇňŌōŎŏŐőŔŕŖŗŘřŚś',
  'ŜŝŞşŠšŢţŤťŨũŪūŬŭŮůŰűŲųŴŵŶŷŸŹźŻżŽžƠơƯưǍǎǏǐǑǒǓǔǕǖǗǘǙǚǛǜǞǟǠǡǦǧǨǩǪǫǬ',
  'ǭǰǴǵǸǹǺǻȀȁȂȃȄȅȆȇȈȉȊȋȌȍȎȏȐȑȒȓȔȕȖȗȘșȚțȞȟȦȧȨȩȪȫȬȭȮȯȰȱȲȳḀḁḂḃḄḅḆḇḈḉḊḋ',
  'ḌḍḎḏḐḑḒḓḔḕḖḗḘḙḚḛḜḝḞḟḠḡḢḣḤḥḦḧḨḩḪḫḬḭḮḯḰḱḲḳḴḵḶḷḸḹḺḻḼḽḾḿṀṁṂṃṄṅṆṇṈṉṊṋ',
  'ṌṍṎṏṐṑṒṓṔṕṖṗṘṙṚṛṜṝṞṟṠṡṢṣṤṥṦṧṨṩṪṫṬṭṮṯṰṱṲṳṴṵṶṷṸṹṺṻṼṽṾṿẀẁẂẃẄẅẆẇẈẉẊẋ',
  'ẌẍẎẏẐẑẒẓẔẕẖẗẘẙẠạẢảẤấẦầẨẩẪẫẬậẮắẰằẲẳẴẵẶặẸẹẺẻẼẽẾếỀềỂểỄễỆệỈỉỊịỌọỎỏỐố',
  'ỒồỔổỖỗỘộỚớỜờỞởỠỡỢợỤụỦủỨứỪừỬửỮữỰựỲỳỴỵỶỷỸỹ',
].join('');
const bases = [
  'AAAAAACEEEEIIIINOOOOOUUUUYaaaaaaceeeeiiiinooooouuuuyyAaAaAaCcCcC',
  'cCcDdEeEeEeEeEeGgGgGgGgHhIiIiIiIiIJjKkLlLlLlNnNnNnOoOoOoRrRrRrSs',
  'SsSsSsTtTtUuUuUuUuUuUuWwYyYZzZzZzOoUuAaIiOoUuUuUuUuUuAaAaGgKkOoO',
  'ojGgNnAaAaAaEeEeIiIiOoOoRrRrUuUuSsTtHhAaEeOoOoOoOoYyAaBbBbBbCcDd',
  'DdDdDdDdEeEeEeEeEeFfGgHhHhHhHhHhIiIiKkKkKkLlLlLlLlMmMmMmNnNnNnNn',
  'OoOoOoOoPpPpRrRrRrRrSsSsSsSsSsTtTtTtTtUuUuUuUuUuVvVvWwWwWwWwWwXx',
  'XxYyZzZzZzhtwyAaAaAaAaAaAaAaAaAaAaAaAaEeEeEeEeEeEeEeEeIiIiOoOoOo',
  'OoOoOoOoOoOoOoOoOoUuUuUuUuUuUuUuYyYyYyYy',
].join('');

const baseOf = new Map<string, string>();
for (let index = 0; index < accented.length; index++) baseOf.set(accented[index]!, bases[index]!);

/** Lower case, without accents (combining marks removed after canonical decomposition). */
export function foldName(name: string): string {
  let folded = '';
  for (const character of name) {
    if (character.charCodeAt(0) < 0x80) folded += character;
    else {
      const base = baseOf.get(character);
      if (base === undefined) return name.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
      folded += base;
    }
  }
  return folded.toLowerCase();
}
