// ImageGridTests.swift — where each cell lands in a sample sheet.

import Engine
import Notebook
import Testing

@Suite struct ImageGridTests {
    @Test func cellsLandAtTheirPixelPositions() {
        // Five 2×3 grey cells, 3 columns, padding 1: sheet 3·2 + 4 = 10 wide, 2·3 + 3 = 9 tall.
        let cells = (0 ..< 5).map { Image(width: 2, height: 3, channels: 1, repeating: UInt8(10 * ($0 + 1))) }
        let sheet = Image.grid(cells, columns: 3, padding: 1, background: 255)
        #expect(sheet.width == 10 && sheet.height == 9 && sheet.channels == 1)
        for (index, _) in cells.enumerated() {
            let left = 1 + (index % 3) * 3, top = 1 + (index / 3) * 4
            for y in top ..< top + 3 {
                for x in left ..< left + 2 { #expect(sheet[x, y] == UInt8(10 * (index + 1))) }
            }
        }
        // Padding rows/columns and the empty sixth cell are background.
        #expect(sheet[0, 0] == 255 && sheet[3, 1] == 255 && sheet[1, 4] == 255)
        #expect((7 ..< 9).allSatisfy { x in (5 ..< 8).allSatisfy { y in sheet[x, y] == 255 } })
        #expect(sheet.pixels.filter { $0 == 255 }.count == 10 * 9 - 5 * 6)
    }

    @Test func defaultColumnsMakeANearSquareSheetAndMixedChannelsBecomeRGB() {
        let grey = Image(width: 1, height: 1, channels: 1, repeating: 7)
        let red = Image(width: 1, height: 1, channels: 3, pixels: [255, 0, 0])
        let sheet = Image.grid([grey, red, grey, grey, grey], padding: 0, background: 0)   // ⌈√5⌉ = 3 columns
        #expect(sheet.width == 3 && sheet.height == 2 && sheet.channels == 3)
        #expect(Array(sheet.pixels[0 ..< 6]) == [7, 7, 7, 255, 0, 0])
        #expect(Array(sheet.pixels[15 ..< 18]) == [0, 0, 0])   // empty last cell
    }

    @Test func batchTensorGridScalesCells() {
        // N = 2 single-pixel grey images, enlarged ×2, one row, padding 1.
        let batch = Tensor(shape: [2, 1, 1, 1], values: [0, 1])
        let sheet = Image.grid(batch: batch, columns: 2, padding: 1, background: 100, scale: 2)
        #expect(sheet.width == 7 && sheet.height == 4)
        #expect(sheet[1, 1] == 0 && sheet[2, 2] == 0 && sheet[4, 1] == 255 && sheet[5, 2] == 255)
        #expect(sheet[3, 1] == 100 && sheet[0, 0] == 100)
    }
}
