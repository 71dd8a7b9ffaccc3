// BSD300.swift — the Berkeley Segmentation Dataset images (200 train, 100 test), used for
// super-resolution.
//
// Layout: `iids_train.txt` / `iids_test.txt` (one image id per line) and
// `images/<split>/<id>.jpg` (the original JPEGs) or `<id>.png` (lossless decodes, as the train
// images in ../shared/data). Images are 481×321 or 321×481 RGB. Every file is checked against the
// SHA-256 table in BSD300Checksums.swift.

import Foundation

/// BSD300 images, as RGB images of their original (varying) sizes.
public enum BSD300 {
    /// Image ids of a split, in the order of the id list.
    public static func imageIDs(split: DatasetSplit, from location: DataLocation) throws -> [String] {
        let listName = "iids_\(split.rawValue).txt"
        let (_, files) = try location.locate([listName], of: .bsd300)
        let bytes = try location.readVerified(files[0], as: listName, of: .bsd300)
        let ids = String(decoding: bytes, as: UTF8.self).split(whereSeparator: \.isNewline)
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard !ids.isEmpty, ids.allSatisfy({ $0.allSatisfy(\.isNumber) }) else {
            throw DatasetError.dimensionMismatch(file: files[0].path, detail: "expected one numeric image id per line")
        }
        return ids
    }

    /// Loads and decodes every image of a split (ids in list order).
    public static func load(split: DatasetSplit, from location: DataLocation) throws -> [RGBImage] {
        let ids = try imageIDs(split: split, from: location)
        let folder = location.folder(for: .bsd300).appendingPathComponent("images/\(split.rawValue)", isDirectory: true)
        var paths = [(relative: String, url: URL)]()
        var missing = [String]()
        for id in ids {
            let candidates = ["\(id).jpg", "\(id).png"]
            if let found = candidates.first(where: { FileManager.default.fileExists(atPath: folder.appendingPathComponent($0).path) }) {
                paths.append(("images/\(split.rawValue)/\(found)", folder.appendingPathComponent(found)))
            } else {
                missing.append("images/\(split.rawValue)/\(id).jpg")
            }
        }
        if !missing.isEmpty {
            let description = DatasetRegistry.bsd300
            throw DatasetError.missingFiles(dataset: description.name, directory: location.folder(for: .bsd300).path,
                                            files: missing, source: description.source)
        }
        return try paths.map { relative, url in
            let bytes = try readFileBytes(url)
            try location.verifyChecksum(of: bytes, file: url, knownHashes: DatasetRegistry.knownHashes(dataset: .bsd300, file: relative))
            let image = try decodeImageFile(bytes, name: url.path)
            return RGBImage(name: url.deletingPathExtension().lastPathComponent, width: image.width,
                            height: image.height, pixels: image.pixels)
        }
    }
}
