import { describe, expect, it } from 'vitest';
import { csvCell, downloadPaths, tabulate, toCsv } from './format.ts';

describe('The CSV of a downloaded record', () => {
  it('gives one row per item of the record’s one list, repeating the record’s own fields', () => {
    const record = {
      name: '王小明',
      address: { city: '臺北市', district: '大安區' },
      members: [
        { name: '王小明', birthDate: '1980-01-01' },
        { name: '王小華', birthDate: '2010-05-05', note: null },
      ],
    };
    expect(tabulate(record)).toEqual({
      columns: [
        'name',
        'address.city',
        'address.district',
        'members.name',
        'members.birthDate',
        'members.note',
      ],
      rows: [
        ['王小明', '臺北市', '大安區', '王小明', '1980-01-01', null],
        ['王小明', '臺北市', '大安區', '王小華', '2010-05-05', null],
      ],
    });
    expect(toCsv(record)).toBe(
      '\uFEFFname,address.city,address.district,members.name,members.birthDate,members.note\r\n' +
        '王小明,臺北市,大安區,王小明,1980-01-01,\r\n王小明,臺北市,大安區,王小華,2010-05-05,\r\n',
    );
  });

  it('numbers the items in one row when a record has several lists, and joins lists of values', () => {
    expect(tabulate({ a: [{ x: 1 }, { x: 2 }], b: [{ y: true }], tags: ['甲', '乙'], empty: [] })).toEqual({
      columns: ['a.1.x', 'a.2.x', 'b.1.y', 'tags', 'empty'],
      rows: [[1, 2, true, '甲; 乙', '']],
    });
    expect(tabulate({ total: 5 })).toEqual({ columns: ['total'], rows: [[5]] });
  });

  it('quotes as RFC 4180 asks, and keeps a spreadsheet from running text as a formula', () => {
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    expect(csvCell('=SUM(A1)')).toBe("'=SUM(A1)");
    expect(csvCell('@cmd')).toBe("'@cmd");
    expect(csvCell(-5)).toBe('-5');
    expect(csvCell(null)).toBe('');
    expect(csvCell(false)).toBe('false');
  });

  it('puts each dataset’s files at fixed places', () => {
    expect(downloadPaths('mof-fia.income')).toEqual({
      json: 'data/mof-fia.income.json',
      csv: 'data/mof-fia.income.csv',
      responseSignature: 'agency/mof-fia.income/response.jws',
      responseBody: 'agency/mof-fia.income/response-body.json',
      requestSignature: 'agency/mof-fia.income/request.jws',
    });
  });
});
