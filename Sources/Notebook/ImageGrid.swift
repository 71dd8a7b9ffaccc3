// ImageGrid.swift — sample sheets: N same-sized images tiled into one picture.
//
// Contract: cells are filled row by row, left to right. With padding p and cells of w×h pixels,
// cell (row r, column c) has its top-left pixel at x = p + c·(w + p), y = p + r·(h + p); the sheet
// is columns·w + (columns + 1)·p wide and rows·h + (rows + 1)·p tall, background everywhere else.
// Grey images are promoted to RGB when the sheet mixes grey and colour.

import Engine

extension Image {
    /// Tiles `images` (all the same width and height) into a grid.
    /// - Parameters:
    ///   - images: the cells, in reading order; at least one.
    ///   - columns: cells per row; default ⌈√N⌉ (a near-square sheet).
    ///   - padding: pixels of background around and between cells; default 2.
    ///   - background: the background sample value (0 black … 255 white); default 255.
    public static func grid(_ images: [Image], columns: Int? = nil, padding: Int = 2,
                            background: UInt8 = 255) -> Image {
        precondition(!images.isEmpty, "Image.grid needs at least one image")
        let width = images[0].width, height = images[0].height
        precondition(images.allSatisfy { $0.width == width && $0.height == height },
                     "Image.grid needs images of one size; got \(Set(images.map { "\($0.width)×\($0.height)" }).sorted())")
        precondition(padding >= 0, "negative padding \(padding)")
        let columns = columns ?? Int(Double(images.count).squareRoot().rounded(.up))
        precondition(columns >= 1, "Image.grid needs at least one column")
        let rows = (images.count + columns - 1) / columns
        let channels = images.contains { $0.channels == 3 } ? 3 : 1

        var sheet = Image(width: columns * width + (columns + 1) * padding,
                          height: rows * height + (rows + 1) * padding,
                          channels: channels, repeating: background)
        for (index, image) in images.enumerated() {
            let cell = channels == 3 ? image.rgb : image
            let left = padding + (index % columns) * (width + padding)
            let top = padding + (index / columns) * (height + padding)
            let rowLength = width * channels
            // Copy the cell one row at a time: each row is contiguous in both images.
            for y in 0 ..< height {
                let from = y * rowLength
                let to = ((top + y) * sheet.width + left) * channels
                sheet.pixels.replaceSubrange(to ..< to + rowLength, with: cell.pixels[from ..< from + rowLength])
            }
        }
        return sheet
    }

    /// Tiles a batch tensor [N, C, H, W] (C = 1 or 3) into a grid, mapping `range` to 0…255
    /// (see `Image(tensor:range:)`) and enlarging each cell by `scale` (nearest neighbour).
    public static func grid(batch: Tensor, range: ClosedRange<Float> = 0 ... 1, columns: Int? = nil,
                            padding: Int = 2, background: UInt8 = 255, scale: Int = 1) -> Image {
        precondition(batch.rank == 4, "Image.grid(batch:) wants [N, C, H, W], got \(batch.shape)")
        let (channels, height, width) = (batch.shape[1], batch.shape[2], batch.shape[3])
        precondition(channels == 1 || channels == 3, "Image.grid(batch:) wants 1 or 3 channels, got \(batch.shape)")
        let cells = (0 ..< batch.shape[0]).map { n in
            Image(planar: batch.data + n * channels * height * width, channels: channels,
                  height: height, width: width, range: range).scaled(by: scale)
        }
        return grid(cells, columns: columns, padding: padding, background: background)
    }
}
