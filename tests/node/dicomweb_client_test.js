// Arca driven by an independent DICOMweb client: the npm package dicomweb-client under Node
// (with the xhr2 polyfill, DESIGN §3). Run by tests/e2e/dicomweb_client_test.py, which starts
// `arca serve --dev-local-access`, computes the expectations from the source files with pydicom
// and passes them in a JSON file: node dicomweb_client_test.js URL EXPECTATIONS.json OUTDIR
// Stores the files with STOW-RS, searches at every level with every kind of matching, retrieves
// instances (bytes equal to the files), metadata, frames and rendered images, and prints
// "N passed, N failed"; exits non-zero on any failure. Retrieved instances are written to OUTDIR.
'use strict';
global.XMLHttpRequest = require('xhr2');
const crypto = require('crypto');
const fs = require('fs');
const { api } = require('dicomweb-client');

const [url, expectationsFile, outDir] = process.argv.slice(2);
const files = JSON.parse(fs.readFileSync(expectationsFile, 'utf8'));
const client = new api.DICOMwebClient({ url, singlepart: false });
let passed = 0;
let failed = 0;

function check(name, condition, detail) {
  if (condition) {
    passed += 1;
  } else {
    failed += 1;
    console.log(`FAIL ${name}${detail === undefined ? '' : ': ' + JSON.stringify(detail)}`);
  }
}

const sha256 = (buffer) => crypto.createHash('sha256').update(Buffer.from(buffer)).digest('hex');
const value = (obj, tag) => (obj[tag] && obj[tag].Value ? obj[tag].Value : []);
const uids = (rows, tag) => rows.map((r) => value(r, tag)[0]).sort();

async function main() {
  const datasets = files.map((f) => new Uint8Array(fs.readFileSync(f.path)).buffer);
  const answer = await client.storeInstances({ datasets });
  const stored = typeof answer === 'string' ? JSON.parse(answer)
    : answer instanceof ArrayBuffer ? JSON.parse(Buffer.from(answer).toString('utf8')) : answer;
  check('stow references every instance', value(stored, '00081199').length === files.length,
        value(stored, '00081198'));

  for (const f of files) {
    const study = f.study;
    const ids = { studyInstanceUID: study, seriesInstanceUID: f.series, sopInstanceUID: f.sop };
    const name = f.name;

    // QIDO-RS: exact UID, UID list, wildcard, date range, tag numbers, every level.
    let rows = await client.searchForStudies({ queryParams: { StudyInstanceUID: study } });
    check(`${name}: study by UID`, rows.length === 1 && value(rows[0], '0020000D')[0] === study);
    rows = await client.searchForStudies({
      queryParams: { StudyInstanceUID: `1.2.3.4.5.6.7\\${study}` } });
    check(`${name}: study by UID list`, uids(rows, '0020000D').includes(study));
    if (f.patient_id) {
      rows = await client.searchForStudies({
        queryParams: { '00100020': f.patient_id, includefield: '00081030,00100010' } });
      check(`${name}: study by PatientID tag`, uids(rows, '0020000D').includes(study));
    }
    if (f.name_prefix) {
      rows = await client.searchForStudies({
        queryParams: { PatientName: `${f.name_prefix.toLowerCase()}*` } });
      check(`${name}: case-insensitive name wildcard`, uids(rows, '0020000D').includes(study),
            f.name_prefix);
    }
    if (f.study_date) {
      rows = await client.searchForStudies({
        queryParams: { StudyDate: `${f.study_date.slice(0, 4)}0101-${f.study_date}` } });
      check(`${name}: study date range`, uids(rows, '0020000D').includes(study));
    }
    rows = await client.searchForSeries({ studyInstanceUID: study });
    check(`${name}: series of the study`, uids(rows, '0020000E').includes(f.series));
    rows = await client.searchForSeries({ queryParams: { SeriesInstanceUID: f.series } });
    check(`${name}: series by UID`, uids(rows, '0020000E').includes(f.series));
    rows = await client.searchForInstances({
      studyInstanceUID: study, seriesInstanceUID: f.series });
    check(`${name}: instances of the series`, uids(rows, '00080018').includes(f.sop));
    rows = await client.searchForInstances({ queryParams: { SOPInstanceUID: f.sop } });
    check(`${name}: instance by UID`, rows.length === 1 &&
          value(rows[0], '00080016')[0] === f.sop_class);

    // WADO-RS: the instance (the client asks for application/dicom without a transfer syntax:
    // Explicit VR Little Endian; 0.11.3 rejects any mediaTypes here), saved for the Python side
    // to compare with the source file; its metadata, a frame and a rendered image.
    const part10 = await client.retrieveInstance(ids);
    fs.writeFileSync(`${outDir}/${f.sop}.dcm`, Buffer.from(part10));
    if (f.explicit_le) {
      check(`${name}: instance bytes`, sha256(part10) === f.sha256);
    }
    const metadata = await client.retrieveInstanceMetadata(ids);
    check(`${name}: metadata`, metadata.length === 1 &&
          value(metadata[0], '00080018')[0] === f.sop &&
          JSON.stringify(value(metadata[0], '00100010')) === JSON.stringify(f.patient_name),
          value(metadata[0], '00100010'));
    if (f.frame_sha256) {
      const frames = await client.retrieveInstanceFrames({
        ...ids, frameNumbers: [1],
        mediaTypes: [{ mediaType: 'application/octet-stream', transferSyntaxUID: '*' }] });
      check(`${name}: frame 1`, frames.length === 1 && sha256(frames[0]) === f.frame_sha256);
    }
    if (f.renders) {
      const rendered = await client.retrieveInstanceRendered({
        ...ids, mediaTypes: [{ mediaType: 'image/jpeg' }] });
      // 0.11.3 answers a list of body parts even for a single-part image/jpeg response.
      const jpeg = new Uint8Array(Array.isArray(rendered) ? rendered[0] : rendered);
      check(`${name}: rendered`, jpeg.length > 100 && jpeg[0] === 0xff && jpeg[1] === 0xd8);
    }
  }
  const series = await client.retrieveSeries({
    studyInstanceUID: files[0].study, seriesInstanceUID: files[0].series });
  check('series retrieve', series.map(sha256).includes(files[0].sha256));
}

main()
  .catch((e) => {
    failed += 1;
    console.log(`FAIL unexpected: ${e && e.stack ? e.stack : JSON.stringify(e)}`);
  })
  .finally(() => {
    console.log(`${passed} passed, ${failed} failed`);
    process.exitCode = failed === 0 && passed > 0 ? 0 : 1;
  });
