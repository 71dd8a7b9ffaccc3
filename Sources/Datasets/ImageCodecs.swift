// ImageCodecs.swift — JPEG and PNG files to RGB bytes, with every decoder error reported.
//
// libjpeg's default error handler calls exit(), and a custom one must longjmp, which Swift
// cannot do safely. So JPEG goes through libjpeg-turbo's TurboJPEG API, which keeps the setjmp
// inside C and returns −1 with a message; warnings (a truncated file decodes to grey filler)
// count as errors too, so a damaged image is refused rather than silently half-read.
// PNG goes through libpng's simplified `png_image` API, which reports errors the same way.
// Decoded images are planar RGB: 3×H×W bytes (the layout of a batch tensor).

import CPNG
import CTurboJPEG
import Foundation

/// An 8-bit RGB image, planar (R plane, G plane, B plane; each H×W row-major).
public struct RGBImage: Sendable, Equatable {
    /// A name for messages (the file name or image id).
    public let name: String
    public let width: Int
    public let height: Int
    /// 3×H×W bytes.
    public let pixels: [UInt8]

    public init(name: String, width: Int, height: Int, pixels: [UInt8]) {
        precondition(pixels.count == 3 * width * height, "RGB image needs 3×\(height)×\(width) bytes")
        self.name = name
        self.width = width
        self.height = height
        self.pixels = pixels
    }

    /// Planar image from interleaved RGBRGB… bytes.
    public init(name: String, width: Int, height: Int, interleaved: [UInt8]) {
        let count = width * height
        var planar = [UInt8](repeating: 0, count: 3 * count)
        for i in 0..<count {
            planar[i] = interleaved[3 * i]
            planar[count + i] = interleaved[3 * i + 1]
            planar[2 * count + i] = interleaved[3 * i + 2]
        }
        self.init(name: name, width: width, height: height, pixels: planar)
    }

    /// Interleaved RGBRGB… bytes.
    public var interleaved: [UInt8] {
        let count = width * height
        var out = [UInt8](repeating: 0, count: 3 * count)
        for i in 0..<count {
            out[3 * i] = pixels[i]
            out[3 * i + 1] = pixels[count + i]
            out[3 * i + 2] = pixels[2 * count + i]
        }
        return out
    }
}

/// JPEG decoding and encoding through TurboJPEG.
public enum JPEGCodec {
    /// Decodes JPEG bytes to RGB (accurate integer IDCT and fancy upsampling, as Pillow).
    /// - Parameter name: the file name used in error messages.
    public static func decode(_ bytes: [UInt8], name: String) throws -> RGBImage {
        guard bytes.count >= 4, bytes[0] == 0xFF, bytes[1] == 0xD8 else {
            throw DatasetError.unreadableImage(file: name, detail: "not a JPEG file (no SOI marker)")
        }
        guard let handle = tjInitDecompress() else {
            throw DatasetError.unreadableImage(file: name, detail: "TurboJPEG could not start")
        }
        defer { tjDestroy(handle) }
        func failure(_ step: String) -> DatasetError {
            .unreadableImage(file: name, detail: "\(step): \(String(cString: tjGetErrorStr2(handle)))")
        }
        var width: Int32 = 0, height: Int32 = 0, subsampling: Int32 = 0, colorspace: Int32 = 0
        let headerStatus = bytes.withUnsafeBufferPointer {
            tjDecompressHeader3(handle, $0.baseAddress, UInt($0.count), &width, &height, &subsampling, &colorspace)
        }
        guard headerStatus == 0 else { throw failure("header") }
        guard width > 0, height > 0, Int(width) * Int(height) <= 1 << 28 else {
            throw DatasetError.unreadableImage(file: name, detail: "implausible size \(width)×\(height)")
        }
        var interleaved = [UInt8](repeating: 0, count: 3 * Int(width) * Int(height))
        let status = bytes.withUnsafeBufferPointer { source in
            interleaved.withUnsafeMutableBufferPointer { target in
                tjDecompress2(handle, source.baseAddress, UInt(source.count), target.baseAddress, width, 0, height,
                              Int32(TJPF_RGB.rawValue), TJFLAG_ACCURATEDCT)
            }
        }
        // Any −1, including a warning such as "premature end of data", refuses the image.
        guard status == 0 else { throw failure("decode") }
        return RGBImage(name: name, width: Int(width), height: Int(height), interleaved: interleaved)
    }

    /// Encodes an RGB image as a baseline JPEG (4:4:4, the given quality 1–100).
    public static func encode(_ image: RGBImage, quality: Int = 95) throws -> [UInt8] {
        guard let handle = tjInitCompress() else {
            throw DatasetError.unreadableImage(file: image.name, detail: "TurboJPEG could not start")
        }
        defer { tjDestroy(handle) }
        var output: UnsafeMutablePointer<UInt8>? = nil
        var size: UInt = 0
        let source = image.interleaved
        let status = source.withUnsafeBufferPointer {
            tjCompress2(handle, $0.baseAddress, Int32(image.width), 0, Int32(image.height), Int32(TJPF_RGB.rawValue),
                        &output, &size, Int32(TJSAMP_444.rawValue), Int32(quality), TJFLAG_ACCURATEDCT)
        }
        defer { if let output { tjFree(output) } }
        guard status == 0, let output else {
            throw DatasetError.unreadableImage(file: image.name, detail: String(cString: tjGetErrorStr2(handle)))
        }
        return Array(UnsafeBufferPointer(start: output, count: Int(size)))
    }
}

/// PNG decoding and encoding through libpng's simplified API.
public enum PNGCodec {
    /// Decodes PNG bytes (any colour type and depth libpng reads) to 8-bit RGB.
    public static func decode(_ bytes: [UInt8], name: String) throws -> RGBImage {
        var image = png_image()
        image.version = png_uint_32(PNG_IMAGE_VERSION)
        defer { png_image_free(&image) }
        func failure() -> DatasetError {
            let message = withUnsafeBytes(of: image.message) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            return .unreadableImage(file: name, detail: message.isEmpty ? "libpng error" : message)
        }
        let begun = bytes.withUnsafeBufferPointer {
            png_image_begin_read_from_memory(&image, $0.baseAddress, $0.count)
        }
        guard begun != 0 else { throw failure() }
        image.format = png_uint_32(PNG_FORMAT_RGB)
        let width = Int(image.width), height = Int(image.height)
        guard width > 0, height > 0, width * height <= 1 << 28 else {
            throw DatasetError.unreadableImage(file: name, detail: "implausible size \(width)×\(height)")
        }
        var interleaved = [UInt8](repeating: 0, count: 3 * width * height)
        let finished = interleaved.withUnsafeMutableBytes {
            png_image_finish_read(&image, nil, $0.baseAddress, 0, nil)
        }
        guard finished != 0 else { throw failure() }
        return RGBImage(name: name, width: width, height: height, interleaved: interleaved)
    }

    /// Encodes an RGB image as an 8-bit PNG.
    public static func encode(_ image: RGBImage) throws -> [UInt8] {
        var header = png_image()
        header.version = png_uint_32(PNG_IMAGE_VERSION)
        header.width = png_uint_32(image.width)
        header.height = png_uint_32(image.height)
        header.format = png_uint_32(PNG_FORMAT_RGB)
        defer { png_image_free(&header) }
        let source = image.interleaved
        var size = 0
        // First call measures, second writes.
        guard source.withUnsafeBytes({ png_image_write_to_memory(&header, nil, &size, 0, $0.baseAddress, 0, nil) }) != 0 else {
            throw DatasetError.unreadableImage(file: image.name, detail: "libpng could not encode")
        }
        var output = [UInt8](repeating: 0, count: size)
        let status = source.withUnsafeBytes { raw in
            output.withUnsafeMutableBytes { png_image_write_to_memory(&header, $0.baseAddress, &size, 0, raw.baseAddress, 0, nil) }
        }
        guard status != 0 else { throw DatasetError.unreadableImage(file: image.name, detail: "libpng could not encode") }
        return Array(output[..<size])
    }
}

/// Decodes an image file by its content (JPEG or PNG signature).
public func decodeImageFile(_ bytes: [UInt8], name: String) throws -> RGBImage {
    if bytes.count >= 8 && bytes[0] == 0x89 && bytes[1] == 0x50 && bytes[2] == 0x4E && bytes[3] == 0x47 {
        return try PNGCodec.decode(bytes, name: name)
    }
    return try JPEGCodec.decode(bytes, name: name)
}
