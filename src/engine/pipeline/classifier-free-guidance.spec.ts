import { unetRowsPerImage, usesClassifierFreeGuidance } from './classifier-free-guidance';

describe('classifier-free guidance: on above a scale of 1', () => {
  it.each([
    [0, false, 1],
    [1, false, 1],
    [1.0001, true, 2],
    [7.5, true, 2],
  ])('guidanceScale %p: guided %p, %p UNet row(s) per image', (guidanceScale, guided, rows) => {
    expect(usesClassifierFreeGuidance({ guidanceScale })).toBe(guided);
    expect(unetRowsPerImage({ guidanceScale })).toBe(rows);
  });
});
