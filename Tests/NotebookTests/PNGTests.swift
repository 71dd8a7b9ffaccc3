// PNGTests.swift — PNG round trips, libpng conversions, and errors that name the file.

import Engine
import Foundation
import Notebook
import Testing

@Suite struct PNGTests {
    @Test func greyRoundTripIsExact() throws {
        let folder = try makeScratchFolder()
        defer { removeScratch(folder) }
        let pixels: [UInt8] = (0 ..< 35).map { (i: Int) -> UInt8 in UInt8((i * 37) % 256) }
        let image = Image(width: 7, height: 5, channels: 1, pixels: pixels)
        let url = folder.appendingPathComponent("grey.png")
        try image.write(to: url)
        #expect(try Image(pngAt: url) == image)
        #expect(try contents(of: folder) == ["grey.png"])   // no temporary file left behind
    }

    @Test func rgbRoundTripIsExact() throws {
        let folder = try makeScratchFolder()
        defer { removeScratch(folder) }
        let pixels: [UInt8] = (0 ..< 36).map { (i: Int) -> UInt8 in UInt8((i * 71 + 5) % 256) }
        let image = Image(width: 4, height: 3, channels: 3, pixels: pixels)
        let url = folder.appendingPathComponent("nested/rgb.png")   // the folder is created
        try image.write(to: url)
        let read = try Image(pngAt: url)
        #expect(read.channels == 3 && read.width == 4 && read.height == 3)
        #expect(read.pixels == pixels)
    }

    @Test func overwritingReplacesTheFile() throws {
        let folder = try makeScratchFolder()
        defer { removeScratch(folder) }
        let url = folder.appendingPathComponent("a.png")
        try Image(width: 2, height: 2, channels: 1, repeating: 0).write(to: url)
        try Image(width: 3, height: 1, channels: 3, repeating: 9).write(to: url)
        #expect(try Image(pngAt: url) == Image(width: 3, height: 1, channels: 3, repeating: 9))
    }

    @Test func truncatedFileThrowsNamingIt() throws {
        let folder = try makeScratchFolder()
        defer { removeScratch(folder) }
        let good = try Image(width: 16, height: 16, channels: 3, repeating: 200).pngData()
        let url = folder.appendingPathComponent("truncated.png")
        try good.prefix(good.count / 2).write(to: url)
        do {
            _ = try Image(pngAt: url)
            Issue.record("reading a truncated PNG should throw")
        } catch let error as NotebookError {
            #expect(error.message.contains(url.path))
        }
    }

    @Test func corruptedFileThrowsNamingIt() throws {
        let folder = try makeScratchFolder()
        defer { removeScratch(folder) }
        var bytes = [UInt8](try Image(width: 8, height: 8, channels: 1, repeating: 50).pngData())
        for i in 40 ..< bytes.count - 12 { bytes[i] ^= 0x5A }   // scramble the compressed data
        let url = folder.appendingPathComponent("corrupted.png")
        try Data(bytes).write(to: url)
        #expect { try Image(pngAt: url) } throws: { ($0 as? NotebookError)?.message.contains("corrupted.png") == true }

        let notPNG = folder.appendingPathComponent("notes.png")
        try Data("hello".utf8).write(to: notPNG)
        #expect { try Image(pngAt: notPNG) } throws: { ($0 as? NotebookError)?.message.contains("notes.png") == true }

        let missing = folder.appendingPathComponent("missing.png")
        #expect { try Image(pngAt: missing) } throws: { ($0 as? NotebookError)?.message.contains("missing.png") == true }
    }

    /// Tiny PNGs made by hand (zlib + CRC) to exercise libpng's conversions to 8-bit grey/RGB.
    @Test(arguments: [
        // palette 2×1: red and (0, 128, 255)
        ("iVBORw0KGgoAAAANSUhEUgAAAAIAAAABCAMAAADD/I+4AAAABlBMVEX/AAAAgP9XImXFAAAAC0lEQVR4nGNgYAQAAAQAAr96P0oAAAAASUVORK5CYII=",
         3, [255, 0, 0, 0, 128, 255] as [UInt8]),
        // grey + alpha 2×1: (100, opaque) and (0, transparent) → transparent becomes white
        ("iVBORw0KGgoAAAANSUhEUgAAAAIAAAABCAQAAABeK7cBAAAADUlEQVR4nGNI+c/AAAAEkgFk+HFJ+wAAAABJRU5ErkJggg==",
         1, [100, 255]),
        // 16-bit RGB 1×1: (0x1234, 0xFFFF, 0x0000) → (0x12, 0xFF, 0x00)
        ("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABEAIAAADA54+dAAAAD0lEQVR4nGMQMvn/n4EBAAhwAkXkZmAVAAAAAElFTkSuQmCC",
         3, [0x12, 0xFF, 0x00]),
        // 16-bit grey 2×1: 0x0000, 0x8080 → 0, 128
        ("iVBORw0KGgoAAAANSUhEUgAAAAIAAAABEAAAAACB2fwVAAAADUlEQVR4nGNgYGhoAAABhQEBBW5dNgAAAABJRU5ErkJggg==",
         1, [0, 128]),
    ])
    func readsOtherFormatsAs8Bit(base64: String, channels: Int, expected: [UInt8]) throws {
        let image = try Image(pngData: Data(base64Encoded: base64)!)
        #expect(image.channels == channels)
        #expect(image.pixels == expected)
    }

    static let bsdImage = URL(fileURLWithPath: "/work/shared/data/bsd300/images/train/100075.png")

    @Test(.enabled(if: FileManager.default.fileExists(atPath: bsdImage.path), "BSD300 training images not present"))
    func readsARealPhotograph() throws {
        let image = try Image(pngAt: Self.bsdImage)
        #expect(image.channels == 3)
        #expect([321, 481].contains(image.width) && [321, 481].contains(image.height))
        #expect(image.pixels.count == image.width * image.height * 3)
        #expect(Set(image.pixels).count > 100)   // a photograph, not a flat field
    }

    @Test func tensorToImageScalesAndClamps() {
        // [H, W] with range -1…1: -1 → 0, 0 → 127.5 → 128, 1 → 255, out of range clamps, NaN → 0.
        let tensor = Tensor(shape: [2, 3], values: [-1, 0, 1, -5, 7, .nan])
        let image = Image(tensor: tensor, range: -1 ... 1)
        #expect(image.width == 3 && image.height == 2 && image.channels == 1)
        #expect(image.pixels == [0, 128, 255, 0, 255, 0])
    }

    @Test func planarTensorBecomesInterleavedImageAndBack() {
        // [C=3, H=1, W=2]: planes R = (0, 1), G = (0.5, 0), B = (1, 0.25)
        let tensor = Tensor(shape: [3, 1, 2], values: [0, 1, 0.5, 0, 1, 0.25])
        let image = Image(tensor: tensor)
        #expect(image.pixels == [0, 128, 255, 255, 0, 64])
        let back = image.tensor()
        #expect(back.shape == [3, 1, 2])
        #expect(back.array == [0, 1, Float(128) / 255, 0, 1, Float(64) / 255])
        #expect(Image(width: 1, height: 1, channels: 1, pixels: [255]).tensor(range: -1 ... 1).array == [1])
    }
}
