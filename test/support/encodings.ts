/**
 * Files as county staff save them: the same CSV text as GBK (Excel on Chinese Windows), UTF-16
 * with a BOM, or UTF-8 with and without one. GBK bytes come from a small table of known byte
 * sequences (checked against the GB18030 decoder in the tests), so the test does not trust the
 * encoder it is testing.
 */

/** GBK (= GB18030 two-byte) codes of the Chinese the tests write. */
export const GBK: Record<string, number[]> = {
  手: [0xca, 0xd6], 机: [0xbb, 0xfa], 号: [0xba, 0xc5],
  乡: [0xcf, 0xe7], 镇: [0xd5, 0xf2], 村: [0xb4, 0xe5],
  同: [0xcd, 0xac], 意: [0xd2, 0xe2], 姓: [0xd0, 0xd5], 名: [0xc3, 0xfb],
  城: [0xb3, 0xc7], 厢: [0xcf, 0xe1], 向: [0xcf, 0xf2], 阳: [0xd1, 0xf4],
  是: [0xca, 0xc7], 否: [0xb7, 0xf1],
  张: [0xd5, 0xc5], 三: [0xc8, 0xfd], 李: [0xc0, 0xee], 四: [0xcb, 0xc4], 王: [0xcd, 0xf5], 五: [0xce, 0xe5],
};

export function gbk(text: string): Uint8Array {
  const bytes: number[] = [];
  for (const character of text) {
    const code = character.codePointAt(0) ?? 0;
    if (code < 0x80) bytes.push(code);
    else {
      const pair = GBK[character];
      if (!pair) throw new Error(`add "${character}" to the GBK table`);
      bytes.push(...pair);
    }
  }
  return Uint8Array.from(bytes);
}

export function utf16le(text: string, bom = true): Uint8Array {
  const bytes = bom ? [0xff, 0xfe] : [];
  for (let index = 0; index < text.length; index += 1) {
    const unit = text.charCodeAt(index);
    bytes.push(unit & 0xff, unit >> 8);
  }
  return Uint8Array.from(bytes);
}

export function utf16be(text: string): Uint8Array {
  const bytes = [0xfe, 0xff];
  for (let index = 0; index < text.length; index += 1) {
    const unit = text.charCodeAt(index);
    bytes.push(unit >> 8, unit & 0xff);
  }
  return Uint8Array.from(bytes);
}

export function utf8(text: string, bom = false): Uint8Array {
  const body = new TextEncoder().encode(text);
  return bom ? Uint8Array.from([0xef, 0xbb, 0xbf, ...body]) : body;
}
