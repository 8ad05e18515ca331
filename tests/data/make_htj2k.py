"""Wraps the HTJ2K codestreams from make_htj2k.cjs in DICOM Part-10 objects (step 2 of 2).

Run with /usr/bin/python3 (Debian's python3-pydicom) after make_htj2k.cjs; see that script for
the whole recipe. Writes htj2k_mono16.dcm (64x48 MONOCHROME2, 16 bits) and htj2k_rgb8.dcm (32x24
YBR_RCT, 8 bits) in HTJ2K Lossless Only (1.2.840.10008.1.2.4.201), and htj2k_2frames.dcm (two
32x16 MONOCHROME2 frames, 16 bits) in HTJ2K with RPCL Options Lossless Only (.202), one fragment
per frame, with fixed UIDs in one study so the tests can name them. The names are synthetic.
"""
import os

from pydicom._uid_dict import UID_dictionary
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.encaps import encapsulate
from pydicom.uid import UID

HERE = os.path.dirname(os.path.abspath(__file__))
HTJ2K_LOSSLESS = UID("1.2.840.10008.1.2.4.201")
HTJ2K_RPCL_LOSSLESS = UID("1.2.840.10008.1.2.4.202")
# pydicom 2.3 (Debian 12) predates the HTJ2K transfer syntaxes: name this one so it writes it.
UID_dictionary.setdefault(HTJ2K_LOSSLESS, ("High-Throughput JPEG 2000 Image Compression "
                                           "(Lossless Only)", "Transfer Syntax", "", "",
                                           "HTJ2KLossless"))
UID_dictionary.setdefault(HTJ2K_RPCL_LOSSLESS, ("High-Throughput JPEG 2000 with RPCL Options "
                                                "Image Compression (Lossless Only)",
                                                "Transfer Syntax", "", "", "HTJ2KLosslessRPCL"))
SECONDARY_CAPTURE = UID("1.2.840.10008.5.1.4.1.1.7")
STUDY = "2.25.318001482094713870126384129871238411"
SERIES = "2.25.318001482094713870126384129871238412"

IMAGES = [
    # name, instance UID, rows, columns, samples, bits, photometric, frames, transfer syntax
    ("htj2k_mono16", "2.25.318001482094713870126384129871238413", 48, 64, 1, 16, "MONOCHROME2",
     1, HTJ2K_LOSSLESS),
    ("htj2k_rgb8", "2.25.318001482094713870126384129871238414", 24, 32, 3, 8, "YBR_RCT",
     1, HTJ2K_LOSSLESS),
    ("htj2k_2frames", "2.25.318001482094713870126384129871238415", 16, 32, 1, 16, "MONOCHROME2",
     2, HTJ2K_RPCL_LOSSLESS),
]


def build(name, instance, rows, columns, samples, bits, photometric, frames, syntax):
    codestreams = []
    for frame in range(1, frames + 1):
        with open(os.path.join(HERE, f"{name}.{frame}.j2c"), "rb") as f:
            codestreams.append(f.read())
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = SECONDARY_CAPTURE
    meta.MediaStorageSOPInstanceUID = instance
    meta.TransferSyntaxUID = syntax
    meta.ImplementationClassUID = "2.25.318001482094713870126384129871238410"
    ds = Dataset()
    ds.file_meta = meta
    ds.is_little_endian = True
    ds.is_implicit_VR = False
    ds.SOPClassUID = SECONDARY_CAPTURE
    ds.SOPInstanceUID = instance
    ds.StudyInstanceUID = STUDY
    ds.SeriesInstanceUID = SERIES
    ds.PatientName = "Htj2k^Fixture"
    ds.PatientID = "HTJ2K-0001"
    ds.StudyDate = "20260101"
    ds.StudyID = "1"
    ds.AccessionNumber = "HTJ2K1"
    ds.Modality = "OT"
    ds.ConversionType = "WSD"
    ds.SeriesNumber = 1
    ds.InstanceNumber = IMAGES.index(next(i for i in IMAGES if i[0] == name)) + 1
    if frames > 1:
        ds.NumberOfFrames = frames
    ds.Rows = rows
    ds.Columns = columns
    ds.SamplesPerPixel = samples
    ds.PhotometricInterpretation = photometric
    if samples > 1:
        ds.PlanarConfiguration = 0
    ds.BitsAllocated = bits
    ds.BitsStored = bits
    ds.HighBit = bits - 1
    ds.PixelRepresentation = 0
    ds.LossyImageCompression = "00"
    ds.PixelData = encapsulate(codestreams)
    ds["PixelData"].VR = "OB"
    ds["PixelData"].is_undefined_length = True
    ds.save_as(os.path.join(HERE, name + ".dcm"), write_like_original=False)


if __name__ == "__main__":
    for image in IMAGES:
        build(*image)
