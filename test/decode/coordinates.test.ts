/** Coordinates spelled out in subtitle/timed text: every notation found, nothing else. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findCoordinatesInText } from '../../src/decode/coordinates.js';

const paris = { latitude: 48.8584, longitude: 2.2945 };
const parisDms = { latitude: 48 + 51 / 60 + 30.1 / 3600, longitude: 2 + 17 / 60 + 40.2 / 3600 };
const sydney = { latitude: -33.8688, longitude: 151.2093 };

/** [name, text, the pairs expected (latitude, longitude)]. */
const found: [string, string, { latitude: number; longitude: number }[]][] = [
  ['decimal pair, comma and space', '48.858, 2.294', [{ latitude: 48.858, longitude: 2.294 }]],
  ['decimal pair, comma only', '48.8584,2.2945', [paris]],
  ['decimal pair, space only', '48.8584 2.2945', [paris]],
  ['signed decimal pair', '-33.8688, 151.2093', [sydney]],
  ['Unicode minus sign', '−33.8688, 151.2093', [sydney]],
  ['decimal pair with a slash', '48.8584/2.2945', [paris]],
  ['hemisphere letters before', 'N48.8584 E2.2945', [paris]],
  ['hemisphere letters after', '48.8584N, 2.2945E', [paris]],
  ['hemisphere letters with spaces, southern', 'S 33.8688 E 151.2093', [sydney]],
  ['hemisphere letters after with spaces, western', '40.7128 N 74.0060 W', [{ latitude: 40.7128, longitude: -74.006 }]],
  ['longitude first with letters', 'E2.2945 N48.8584', [paris]],
  ['degrees, minutes, seconds', '48°51\'30.1"N 2°17\'40.2"E', [parisDms]],
  ['DMS with primes and spaces', '48° 51′ 30.1″ N, 2° 17′ 40.2″ E', [parisDms]],
  ['DMS with letters first', 'N 48°51\'30.1" E 2°17\'40.2"', [parisDms]],
  ['DMS with two single quotes for seconds', '48°51\'30.1\'\'N 2°17\'40.2\'\'E', [parisDms]],
  ['DMS southern and western', '33°52\'07.7"S 151°12\'33.5"E', [{ latitude: -(33 + 52 / 60 + 7.7 / 3600), longitude: 151 + 12 / 60 + 33.5 / 3600 }]],
  ['degrees and decimal minutes', '48°51.502\'N 2°17.670\'E', [{ latitude: 48 + 51.502 / 60, longitude: 2 + 17.67 / 60 }]],
  ['decimal degrees with a degree sign', '48.8584°N 2.2945°E', [paris]],
  ['masculine ordinal as degree sign', '48º51\'30.1"N 2º17\'40.2"E', [parisDms]],
  ['signed DMS without letters', '-33°52\'07.7" 151°12\'33.5"', [{ latitude: -(33 + 52 / 60 + 7.7 / 3600), longitude: 151 + 12 / 60 + 33.5 / 3600 }]],
  ['dashcam N:/E:', 'N:48.8584 E:2.2945', [paris]],
  ['dashcam GPS: pair', '2024/05/01 10:11:12 GPS: 48.8584 2.2945 55km/h', [paris]],
  ['dashcam LAT/LON', 'LAT 48.8584 LON 2.2945', [paris]],
  ['labels with colons and letters', 'Lat: 48.8584 N, Lon: 2.2945 E', [paris]],
  ['labels, longitude first', 'lng=2.2945 lat=48.8584', [paris]],
  ['labels with equals and signs', 'latitude=-33.8688, longitude=+151.2093', [sydney]],
  ['DJI SRT labels', '[iso : 100] [shutter : 1/200.0] [fnum : 280] [latitude: 48.85] [longitude: 2.29] [rel_alt: 1.200 abs_alt: 45.300]', [{ latitude: 48.85, longitude: 2.29 }]],
  ['DJI misspelt longtitude', '[latitude : 22.5432] [longtitude : 113.9501]', [{ latitude: 22.5432, longitude: 113.9501 }]],
  ['DJI GPS(lon,lat,alt)', 'F/2.8, SS 320, ISO 100, EV 0, GPS (2.2945, 48.8584, 19), D 12.3m', [paris]],
  ['DJI GPS( without space', 'GPS(2.2945,48.8584,19)', [paris]],
  ['the MP4 suite’s DJI line', 'F/2.8, ISO 100, GPS (8.5432, 47.3769, 12), H 30m', [{ latitude: 47.3769, longitude: 8.5432 }]],
  ['the MP4 suite’s DJI labels', '[latitude: 47.376900] [longitude: 8.543200] [altitude: 12.0]', [{ latitude: 47.3769, longitude: 8.5432 }]],
  ['NMEA RMC', '$GPRMC,123519,A,4851.504,N,00217.670,E,022.4,084.4,230394,003.1,W*6A', [{ latitude: 48 + 51.504 / 60, longitude: 2 + 17.67 / 60 }]],
  ['NMEA GGA (GNSS talker)', '$GNGGA,092750.000,3352.128,S,15112.558,E,1,8,1.03,61.7,M,55.2,M,,*76', [{ latitude: -(33 + 52.128 / 60), longitude: 151 + 12.558 / 60 }]],
  ['NMEA GLL', '$GPGLL,4916.45,N,12311.12,W,225444,A,*1D', [{ latitude: 49 + 16.45 / 60, longitude: -(123 + 11.12 / 60) }]],
  ['ISO 6709 in text', 'loc +48.8584+002.2945/', [paris]],
  ['several pairs in one sample, in order', 'start 48.8584, 2.2945 then S 33.8688 E 151.2093', [paris, sydney]],
  ['a pair across a line break', 'Lat: 48.8584\nLon: 2.2945', [paris]],
  ['inside an SRT cue', '1\n00:00:01,000 --> 00:00:02,000\nN48.8584 E2.2945\n', [paris]],
  ['inside a WebVTT cue', 'WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n48.8584, 2.2945\n', [paris]],
];

const notFound: [string, string][] = [
  ['SRT timestamps', '1\n00:01:02,345 --> 00:01:04,000\nHello there\n'],
  ['WebVTT timestamps', '00:01:02.345 --> 00:01:04.000'],
  ['WebVTT timestamps with hours and cue settings', '01:02:03.456 --> 01:02:05.789 line:90% position:50.125%'],
  ['DJI frame counters', 'FrameCnt: 1234, DiffTime: 33ms\n2024-05-01 10:11:12.123'],
  ['DJI exposure line', '[iso : 100] [shutter : 1/200.0] [fnum : 280] [ev : 0] [ct : 5500] [focal_len : 240]'],
  ['version numbers', 'firmware v1.2.3, app 10.15.7, build 2.0.1234.5678'],
  ['a lone number', 'distance 48.8584 km'],
  ['a lone coordinate with a letter', 'N48.8584'],
  ['two numbers with words between', 'speed 12.345 km/h, altitude 123.456 m'],
  ['counts with zero decimals', 'ratio 1.000, 2.000'],
  ['out of range', '95.1234, 200.5678'],
  ['zero zero (no fix yet)', '[latitude: 0.000000] [longitude: 0.000000]'],
  ['angles that are not a place', 'rotate 45° then 30°'],
  ['episode numbers', 'S01 E03 and S1.5 E3'],
  ['latency label', 'latency 12.345 long wait 67.890'],
  ['NMEA without a fix', '$GPRMC,123519,V,,,,,,,230394,,,N*53'],
  ['numbers with an exponent', '1.5E10 and 2.25E3'],
  ['two latitudes', 'N48.8584 S33.8688'],
  ['plain text', 'Happy birthday! See you at 8.'],
  ['the MP4 suite’s plain subtitle', '1\n00:00:00,000 --> 00:00:01,000\nHello from the harbour\n'],
];

function closeTo(actual: { latitude: number; longitude: number }[], expected: { latitude: number; longitude: number }[]): void {
  expect(actual.length, JSON.stringify(actual)).toBe(expected.length);
  actual.forEach((pair, index) => {
    expect(pair.latitude).toBeCloseTo(expected[index]!.latitude, 6);
    expect(pair.longitude).toBeCloseTo(expected[index]!.longitude, 6);
  });
}

describe('findCoordinatesInText finds', () => {
  for (const [name, text, expected] of found) {
    it(`${name}: ${JSON.stringify(text).slice(0, 70)}`, () => {
      const pairs = findCoordinatesInText(text);
      closeTo(pairs, expected);
      for (const pair of pairs) expect(text).toContain(pair.text);
    });
  }
});

describe('findCoordinatesInText does not find', () => {
  for (const [name, text] of notFound) {
    it(`${name}: ${JSON.stringify(text).slice(0, 70)}`, () => {
      expect(findCoordinatesInText(text)).toEqual([]);
    });
  }
});

describe('findCoordinatesInText', () => {
  it('returns the text each pair was read from', () => {
    expect(findCoordinatesInText('at 48°51\'30.1"N 2°17\'40.2"E today')[0]!.text).toBe('48°51\'30.1"N 2°17\'40.2"E');
    expect(findCoordinatesInText('x GPS(2.2945,48.8584,19) y')[0]!.text).toBe('GPS(2.2945,48.8584');
  });

  it('finds random places in every notation, amid other text', () => {
    const dms = (value: number, positive: string, negative: string) => {
      const absolute = Math.abs(value);
      const degreesPart = Math.floor(absolute);
      const minutes = Math.floor((absolute - degreesPart) * 60);
      const seconds = ((absolute - degreesPart) * 60 - minutes) * 60;
      return { text: `${degreesPart}°${minutes}'${seconds.toFixed(2)}"${value < 0 ? negative : positive}`, value: Math.sign(value) * (degreesPart + minutes / 60 + Number(seconds.toFixed(2)) / 3600) };
    };
    const notations: ((latitude: number, longitude: number) => { text: string; latitude: number; longitude: number })[] = [
      (latitude, longitude) => ({ text: `${latitude.toFixed(5)}, ${longitude.toFixed(5)}`, latitude, longitude }),
      (latitude, longitude) => ({ text: `${latitude < 0 ? 'S' : 'N'}${Math.abs(latitude).toFixed(4)} ${longitude < 0 ? 'W' : 'E'}${Math.abs(longitude).toFixed(4)}`, latitude, longitude }),
      (latitude, longitude) => ({ text: `${Math.abs(latitude).toFixed(4)}${latitude < 0 ? 'S' : 'N'}, ${Math.abs(longitude).toFixed(4)}${longitude < 0 ? 'W' : 'E'}`, latitude, longitude }),
      (latitude, longitude) => {
        const lat = dms(latitude, 'N', 'S');
        const lon = dms(longitude, 'E', 'W');
        return { text: `${lat.text} ${lon.text}`, latitude: lat.value, longitude: lon.value };
      },
      (latitude, longitude) => ({ text: `[latitude: ${latitude.toFixed(6)}] [longitude: ${longitude.toFixed(6)}]`, latitude, longitude }),
      (latitude, longitude) => ({ text: `GPS(${longitude.toFixed(4)},${latitude.toFixed(4)},12)`, latitude, longitude }),
    ];
    const coordinate = (limit: number) => fc.double({ min: -limit, max: limit, noNaN: true }).filter((value) => Math.abs(value) > 0.01);
    fc.assert(
      fc.property(coordinate(89.9), coordinate(179.9), fc.nat(notations.length - 1), fc.constantFrom('', 'speed 12 km/h ', '00:00:01,000 --> 00:00:02,000\n'), (latitude, longitude, which, around) => {
        const expected = notations[which]!(latitude, longitude);
        const pairs = findCoordinatesInText(`${around}${expected.text}\n${around}`);
        expect(pairs.length, expected.text).toBe(1);
        expect(pairs[0]!.latitude).toBeCloseTo(Number(expected.latitude.toFixed(4)), 3);
        expect(pairs[0]!.longitude).toBeCloseTo(Number(expected.longitude.toFixed(4)), 3);
      }),
      { numRuns: 1000, seed: 42 },
    );
  });

  it('reads every sample of a long dashcam track', () => {
    const lines = Array.from({ length: 5000 }, (_, index) => `${index + 1}\n00:00:${String(index % 60).padStart(2, '0')},000 --> 00:00:${String((index + 1) % 60).padStart(2, '0')},000\nN${(48 + index / 1e4).toFixed(4)} E${(2 + index / 1e4).toFixed(4)} 55km/h\n`);
    expect(findCoordinatesInText(lines.join('\n'))).toHaveLength(5000);
  });

  it('takes linear time on hostile text', () => {
    const hostile = [
      '1.'.repeat(200_000),
      `1.${'1'.repeat(400_000)}`,
      'N '.repeat(200_000),
      'lat '.repeat(100_000),
      `lat${' '.repeat(400_000)}x`,
      '48°'.repeat(100_000),
      '48°51\''.repeat(60_000),
      '$GPRMC,'.repeat(50_000),
      'GPS('.repeat(100_000),
      '48.8584 '.repeat(50_000),
      '+1.11'.repeat(80_000),
    ];
    for (const text of hostile) {
      const started = performance.now();
      findCoordinatesInText(text);
      expect(performance.now() - started, text.slice(0, 20)).toBeLessThan(1500);
    }
  });
});
