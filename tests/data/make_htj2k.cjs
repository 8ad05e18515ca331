// Encodes the HTJ2K test images (step 1 of 2; make_htj2k.py wraps them in DICOM objects).
// Debian 12 has no HTJ2K encoder, so this uses OpenJPH's WebAssembly build from npm, installed
// outside the repository (the tests only read the committed outputs):
//   npm install --prefix /tmp/openjph @cornerstonejs/codec-openjph@2.4.11
//   NODE_PATH=/tmp/openjph/node_modules node tests/data/make_htj2k.cjs
//   /usr/bin/python3 tests/data/make_htj2k.py
// Writes, next to this file, for each image NAME: NAME.raw (the source pixels of all its frames,
// little endian, colour interleaved) and NAME.F.j2c (the lossless HTJ2K codestream of frame F,
// from 1). OpenJPH writes RPCL progression order, as 1.2.840.10008.1.2.4.202 requires.
"use strict";
const fs = require("fs");
const path = require("path");
const openjph = require("@cornerstonejs/codec-openjph");

// 64x48, 16-bit unsigned: a gradient using the full range, plus known values at the corners.
function mono16() {
  const width = 64, height = 48;
  const pixels = new Uint16Array(width * height);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) pixels[y * width + x] = (x * 1021 + y * 1361) % 65536;
  const known = [[0, 0, 0], [63, 0, 65535], [0, 47, 4095], [63, 47, 12345], [10, 10, 32768]];
  for (const [x, y, v] of known) pixels[y * width + x] = v;
  return { name: "htj2k_mono16", width, height, bits: 16, components: 1, colour: false,
           frames: [pixels] };
}

// 32x24, 8-bit RGB, encoded with the reversible colour transform (DICOM YBR_RCT).
function rgb8() {
  const width = 32, height = 24;
  const pixels = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const at = (y * width + x) * 3;
      pixels[at] = x * 8;
      pixels[at + 1] = y * 10;
      pixels[at + 2] = (x * 7 + y * 5) % 256;
    }
  pixels.set([255, 0, 0], 0);
  pixels.set([0, 255, 0], (width - 1) * 3);
  pixels.set([0, 0, 255], (height - 1) * width * 3);
  return { name: "htj2k_rgb8", width, height, bits: 8, components: 3, colour: true,
           frames: [pixels] };
}

// 32x16, 16-bit unsigned, two frames (one fragment each): a ramp, then its mirror image.
function twoFrames() {
  const width = 32, height = 16;
  const frames = [new Uint16Array(width * height), new Uint16Array(width * height)];
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      frames[0][y * width + x] = x * 64 + y * 4;
      frames[1][y * width + x] = 65535 - (x * 2000 + y * 7);
    }
  return { name: "htj2k_2frames", width, height, bits: 16, components: 1, colour: false, frames };
}

openjph().then((codec) => {
  for (const image of [mono16(), rgb8(), twoFrames()]) {
    const raws = [];
    image.frames.forEach((pixels, i) => {
      const encoder = new codec.HTJ2KEncoder();
      const input = encoder.getDecodedBuffer({
        width: image.width, height: image.height, bitsPerSample: image.bits,
        componentCount: image.components, isSigned: false, isUsingColorTransform: image.colour,
      });
      const raw = new Uint8Array(pixels.buffer);
      input.set(raw);
      encoder.setQuality(true, 0);  // reversible: lossless
      encoder.encode();
      const encoded = encoder.getEncodedBuffer();
      fs.writeFileSync(path.join(__dirname, `${image.name}.${i + 1}.j2c`), encoded);
      encoder.delete();
      raws.push(Buffer.from(raw));
      console.log(`${image.name} frame ${i + 1}:`, raw.length, "->", encoded.length, "bytes");
    });
    fs.writeFileSync(path.join(__dirname, image.name + ".raw"), Buffer.concat(raws));
  }
});
