// Support.swift — helpers shared by the Notebook tests: scratch folders and gnuplot availability.

import Foundation
import Notebook

/// A fresh empty folder under the system's temporary directory; removed by `removeScratch`.
func makeScratchFolder(_ label: String = #function) throws -> URL {
    let safe = label.filter { $0.isLetter || $0.isNumber }
    let url = FileManager.default.temporaryDirectory
        .appendingPathComponent("notebook-tests-\(safe)-\(UUID().uuidString)", isDirectory: true)
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

func removeScratch(_ url: URL) {
    try? FileManager.default.removeItem(at: url)
}

/// The names in a folder, sorted (to check that no temporary files are left behind).
func contents(of folder: URL) throws -> [String] {
    try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
}

/// Whether gnuplot is installed (figure tests that draw are skipped without it).
let gnuplotAvailable = (try? Gnuplot().locate()) != nil
