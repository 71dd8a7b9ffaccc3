// PNG.swift — 8-bit images in memory, read from and written to PNG files by libpng.
//
// Contract: an `Image` is W×H pixels of 1 (grey) or 3 (RGB) interleaved 8-bit channels, rows top
// to bottom. Writing makes an 8-bit grey or RGB PNG, atomically. Reading accepts any PNG libpng
// reads (palette, grey+alpha, RGBA, 16-bit) and converts it to 8-bit grey (grey sources) or RGB
// (colour sources): alpha is composited onto white, 16-bit samples are scaled to 8 bits.
//
// Only libpng's simplified API (png_image_*) is used: it reports errors by return value and
// `png_image.message`, so libpng's setjmp/longjmp error handling never unwinds Swift frames.

import CPNG
import Engine
import Foundation

/// An 8-bit raster image: `channels` interleaved samples per pixel, row-major, top row first.
public struct Image: Equatable, Sendable {
    /// Width in pixels (columns).
    public let width: Int
    /// Height in pixels (rows).
    public let height: Int
    /// Samples per pixel: 1 (grey) or 3 (RGB).
    public let channels: Int
    /// `height * width * channels` samples; sample c of pixel (x, y) is at `(y * width + x) * channels + c`.
    public var pixels: [UInt8]

    /// An image over existing pixels (the primitive initialiser).
    /// - Precondition: `channels` is 1 or 3 and `pixels.count == width * height * channels`.
    public init(width: Int, height: Int, channels: Int, pixels: [UInt8]) {
        precondition(channels == 1 || channels == 3, "an Image has 1 or 3 channels, not \(channels)")
        precondition(width >= 0 && height >= 0, "negative image size \(width)×\(height)")
        precondition(pixels.count == width * height * channels,
                     "\(width)×\(height)×\(channels) image needs \(width * height * channels) samples, got \(pixels.count)")
        self.width = width
        self.height = height
        self.channels = channels
        self.pixels = pixels
    }

    /// An image with every sample equal to `value` (0 black, 255 white).
    public init(width: Int, height: Int, channels: Int, repeating value: UInt8) {
        self.init(width: width, height: height, channels: channels,
                  pixels: Array(repeating: value, count: width * height * channels))
    }

    /// Sample `channel` of the pixel in column `x`, row `y`.
    public subscript(x: Int, y: Int, channel: Int = 0) -> UInt8 {
        get { pixels[(y * width + x) * channels + channel] }
        set { pixels[(y * width + x) * channels + channel] = newValue }
    }

    /// The same picture with 3 channels (grey copied into R, G and B); RGB images are returned as they are.
    public var rgb: Image {
        if channels == 3 { return self }
        var out = [UInt8](repeating: 0, count: pixels.count * 3)
        for i in 0 ..< pixels.count { out[3 * i] = pixels[i]; out[3 * i + 1] = pixels[i]; out[3 * i + 2] = pixels[i] }
        return Image(width: width, height: height, channels: 3, pixels: out)
    }

    /// Nearest-neighbour enlargement by an integer `factor` (each pixel becomes factor×factor): makes
    /// 28×28 digits legible in a figure without blurring them.
    public func scaled(by factor: Int) -> Image {
        precondition(factor >= 1, "scale factor must be at least 1, got \(factor)")
        if factor == 1 { return self }
        var out = Image(width: width * factor, height: height * factor, channels: channels, repeating: 0)
        for y in 0 ..< out.height {
            for x in 0 ..< out.width {
                for c in 0 ..< channels { out[x, y, c] = self[x / factor, y / factor, c] }
            }
        }
        return out
    }
}

// MARK: - PNG files

extension Image {
    /// Reads the PNG at `url`, converting it to 8-bit grey (grey sources) or 8-bit RGB (colour sources).
    /// - Throws: `NotebookError` naming the file and libpng's message (missing file, not a PNG, truncated…).
    public init(pngAt url: URL) throws {
        var image = png_image()
        image.version = UInt32(PNG_IMAGE_VERSION)
        defer { png_image_free(&image) }
        guard png_image_begin_read_from_file(&image, url.path) != 0 else {
            throw NotebookError("cannot read PNG \(url.path): \(Image.message(of: image))")
        }
        try self.init(finishing: &image, source: url.path)
    }

    /// Decodes PNG bytes held in memory (same conversions as `init(pngAt:)`); `name` appears in errors.
    public init(pngData data: Data, name: String = "<memory>") throws {
        var image = png_image()
        image.version = UInt32(PNG_IMAGE_VERSION)
        defer { png_image_free(&image) }
        let bytes = [UInt8](data)
        // begin_read_from_memory keeps a pointer to the bytes until finish_read, so both run inside this closure.
        let result: Result<Image, NotebookError> = bytes.withUnsafeBytes { raw in
            guard png_image_begin_read_from_memory(&image, raw.baseAddress, raw.count) != 0 else {
                return .failure(NotebookError("cannot read PNG \(name): \(Image.message(of: image))"))
            }
            do { return .success(try Image(finishing: &image, source: name)) } catch let error as NotebookError {
                return .failure(error)
            } catch { return .failure(NotebookError("cannot read PNG \(name): \(error)")) }
        }
        self = try result.get()
    }

    /// The second half of reading: choose the 8-bit output format, let libpng convert into our buffer.
    private init(finishing image: inout png_image, source: String) throws {
        let isColour = image.format & UInt32(PNG_FORMAT_FLAG_COLOR) != 0
        let channels = isColour ? 3 : 1
        // Ask for plain 8-bit grey or RGB: libpng expands palettes, strips alpha by compositing, and
        // reduces 16-bit samples. 16-bit samples are declared sRGB-encoded (like 8-bit ones) so the
        // reduction is a plain rescale, not a linear-to-sRGB gamma conversion.
        image.format = isColour ? UInt32(PNG_FORMAT_RGB) : UInt32(PNG_FORMAT_GRAY)
        image.flags |= UInt32(PNG_IMAGE_FLAG_16BIT_sRGB)
        let width = Int(image.width), height = Int(image.height)
        var pixels = [UInt8](repeating: 0, count: width * height * channels)
        var white = png_color(red: 255, green: 255, blue: 255)
        let ok = pixels.withUnsafeMutableBytes { buffer in
            png_image_finish_read(&image, &white, buffer.baseAddress, png_int_32(width * channels), nil)
        }
        guard ok != 0 else { throw NotebookError("cannot read PNG \(source): \(Image.message(of: image))") }
        self.init(width: width, height: height, channels: channels, pixels: pixels)
    }

    /// The image encoded as an 8-bit grey or RGB PNG.
    public func pngData() throws -> Data {
        precondition(width > 0 && height > 0, "cannot encode an empty \(width)×\(height) image as PNG")
        func describe() -> png_image {
            var image = png_image()
            image.version = UInt32(PNG_IMAGE_VERSION)
            image.width = UInt32(width)
            image.height = UInt32(height)
            image.format = channels == 3 ? UInt32(PNG_FORMAT_RGB) : UInt32(PNG_FORMAT_GRAY)
            return image
        }
        let stride = png_int_32(width * channels)
        return try pixels.withUnsafeBytes { source in
            // First pass measures the encoded size, second pass encodes into a buffer of that size.
            var image = describe()
            var size = 0
            guard png_image_write_to_memory(&image, nil, &size, 0, source.baseAddress, stride, nil) != 0 else {
                defer { png_image_free(&image) }
                throw NotebookError("cannot encode \(width)×\(height) PNG: \(Image.message(of: image))")
            }
            var encoded = Data(count: size)
            image = describe()
            let ok = encoded.withUnsafeMutableBytes { target in
                png_image_write_to_memory(&image, target.baseAddress, &size, 0, source.baseAddress, stride, nil)
            }
            guard ok != 0 else {
                defer { png_image_free(&image) }
                throw NotebookError("cannot encode \(width)×\(height) PNG: \(Image.message(of: image))")
            }
            return encoded.prefix(size)
        }
    }

    /// Writes the image as a PNG at `url`, atomically (temporary file in the same folder, then rename).
    /// Creates the folder if needed.
    public func write(to url: URL) throws {
        do {
            try AtomicFile.write(try pngData(), to: url)
        } catch let error as NotebookError where !error.message.contains(url.path) {
            throw NotebookError("cannot write PNG \(url.path): \(error.message)")
        }
    }

    /// libpng's NUL-terminated message from a png_image (at most 64 bytes).
    private static func message(of image: png_image) -> String {
        let text = withUnsafeBytes(of: image.message) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
        return text.isEmpty ? "libpng reported an error" : text
    }
}

// MARK: - Tensors

extension Image {
    /// An image from a [C, H, W] tensor (C = 1 or 3) or an [H, W] tensor.
    /// Values are mapped linearly so `range.lowerBound` → 0 and `range.upperBound` → 255,
    /// rounded, and clamped (NaN → 0).
    public init(tensor: Tensor, range: ClosedRange<Float> = 0 ... 1) {
        let shape = tensor.shape
        precondition(shape.count == 2 || (shape.count == 3 && (shape[0] == 1 || shape[0] == 3)),
                     "Image(tensor:) wants [H, W] or [C, H, W] with C = 1 or 3, got \(shape)")
        let channels = shape.count == 2 ? 1 : shape[0]
        self.init(planar: tensor.data, channels: channels, height: shape[shape.count - 2],
                  width: shape[shape.count - 1], range: range)
    }

    /// An image from planar float values (C planes of H×W), mapping `range` to 0…255 with clamping.
    init(planar values: UnsafePointer<Float>, channels: Int, height: Int, width: Int, range: ClosedRange<Float>) {
        precondition(range.upperBound > range.lowerBound, "empty value range \(range)")
        let plane = height * width
        let scale = 255 / (range.upperBound - range.lowerBound)
        var pixels = [UInt8](repeating: 0, count: plane * channels)
        // Tensor is planar (C, H, W); the image interleaves channels per pixel.
        for c in 0 ..< channels {
            for p in 0 ..< plane {
                let v = ((values[c * plane + p] - range.lowerBound) * scale).rounded()
                pixels[p * channels + c] = v.isNaN ? 0 : UInt8(Swift.min(Swift.max(v, 0), 255))
            }
        }
        self.init(width: width, height: height, channels: channels, pixels: pixels)
    }

    /// The image as a [C, H, W] tensor, 0 → `range.lowerBound`, 255 → `range.upperBound`.
    public func tensor(range: ClosedRange<Float> = 0 ... 1) -> Tensor {
        let plane = height * width
        let out = Tensor(uninitializedShape: [channels, height, width])
        let scale = (range.upperBound - range.lowerBound) / 255
        for c in 0 ..< channels {
            for p in 0 ..< plane {
                out.data[c * plane + p] = range.lowerBound + Float(pixels[p * channels + c]) * scale
            }
        }
        return out
    }
}
