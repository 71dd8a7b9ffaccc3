// fetch-data — `make data`: checks every dataset in the data folder and downloads what is missing
// from its canonical source (SHA-256 verified, nothing half-written on failure).
//
//   fetch-data [--data-dir DIR] [dataset …]      datasets: mnist fashion-mnist notmnist cifar10 cifar100 bsd300

import Foundation
import Datasets

var arguments = Array(CommandLine.arguments.dropFirst())
var explicitDirectory: String? = nil
if let flag = arguments.firstIndex(of: "--data-dir") {
    guard flag + 1 < arguments.count else { print("fetch-data: --data-dir needs a folder"); exit(2) }
    explicitDirectory = arguments[flag + 1]
    arguments.removeSubrange(flag...(flag + 1))
}
var requested: [DatasetID] = []
for name in arguments {
    guard let id = DatasetID(rawValue: name) else {
        print("fetch-data: unknown dataset '\(name)'; known: \(DatasetID.allCases.map(\.rawValue).joined(separator: ", "))")
        exit(2)
    }
    requested.append(id)
}
let location = DataLocation.resolve(explicitDirectory: explicitDirectory)
print("data folder: \(location.root.path)")
var failed = 0
for id in requested.isEmpty ? DatasetID.allCases : requested {
    let description = DatasetRegistry.description(of: id)
    do {
        // Folders (BSD300's images/train/) are checked for existence; files by name and checksum on load.
        let names = description.files.map(\.name)
        for folder in names.filter({ $0.hasSuffix("/") }) where !location.candidateFolders(for: id).contains(where: {
            FileManager.default.fileExists(atPath: $0.appendingPathComponent(folder).path)
        }) {
            throw DatasetError.missingFiles(dataset: description.name, directory: location.folder(for: id).path,
                                            files: [folder], source: description.source)
        }
        _ = try location.locate(names.filter { !$0.hasSuffix("/") }, of: id)
        print("  \(id.rawValue): present")
    } catch DatasetError.missingFiles {
        do {
            print("  \(id.rawValue): downloading …")
            try DatasetDownloader.download(id, into: location)
            print("  \(id.rawValue): downloaded and verified")
        } catch {
            failed += 1
            print("  \(id.rawValue): \(error)")
        }
    } catch {
        failed += 1
        print("  \(id.rawValue): \(error)")
    }
}
exit(failed == 0 ? 0 : 1)
