// DatasetRegistry.swift — the one place that knows each dataset: its folder, its files with
// their sizes and SHA-256, where it is downloaded from, and how to cite it.
//
// Hashes are of the *uncompressed* file content, so a file is recognised whether it is stored
// plain or gzipped (and whoever gzipped it: Debian re-gzipped Fashion-MNIST, for instance).
// Download checks additionally verify the archive bytes where their SHA-256 is known.
// Sources of the values: ../shared/data/README.md and SHA256SUMS (MNIST, CIFAR-10, notMNIST,
// CIFAR-100 labels, BSD300), the Debian package dataset-fashion-mnist for Fashion-MNIST (its
// uncompressed content equals upstream's by MD5, per the same README).

import Foundation

/// The datasets this suite knows.
public enum DatasetID: String, CaseIterable, Sendable {
    case mnist = "mnist"
    case fashionMNIST = "fashion-mnist"
    case notMNIST = "notmnist"
    case cifar10 = "cifar10"
    case cifar100 = "cifar100"
    case bsd300 = "bsd300"
}

/// One file of a dataset, by its logical (uncompressed) name relative to the dataset folder.
public struct RegisteredFile: Sendable, Equatable {
    /// Path relative to the dataset folder, without `.gz` (the loader also accepts `name.gz`).
    public let name: String
    /// Uncompressed size in bytes, when fixed.
    public let size: Int?
    /// SHA-256 (lower-case hex) of the uncompressed content; empty when no trusted value is known.
    public let sha256: [String]

    public init(_ name: String, size: Int? = nil, sha256: [String] = []) {
        self.name = name
        self.size = size
        self.sha256 = sha256
    }
}

/// How one download turns into dataset files.
public struct DownloadSource: Sendable {
    /// How the downloaded file is unpacked.
    public enum Unpacking: Sendable {
        /// A single gzipped file, stored as is under `file` + ".gz" (the loader reads gzip).
        case gzipFile(file: String)
        /// A gzipped tar archive; `members` maps paths inside the archive to dataset-relative paths.
        /// A member ending in "/" is a folder copied as a whole.
        case tarGz(members: [String: String])
    }
    /// Canonical URL first, then mirrors, tried in order.
    public let urls: [String]
    /// SHA-256 of the downloaded bytes, when known (otherwise the unpacked files are checked).
    public let archiveSHA256: String?
    public let unpacking: Unpacking

    public init(urls: [String], archiveSHA256: String?, unpacking: Unpacking) {
        self.urls = urls
        self.archiveSHA256 = archiveSHA256
        self.unpacking = unpacking
    }
}

/// Everything the suite knows about one dataset.
public struct DatasetDescription: Sendable {
    public let id: DatasetID
    /// Human name used in messages ("MNIST").
    public let name: String
    /// Folder under the data directory (same layout as ../shared/data).
    public let folder: String
    /// Other folders searched when the data directory lacks the dataset (system packages).
    public let systemFolders: [String]
    /// The files a complete copy holds.
    public let files: [RegisteredFile]
    /// Where the files come from, in words (for error messages).
    public let source: String
    public let downloads: [DownloadSource]
    public let citation: String

    /// The registered file with this logical name.
    public func file(_ name: String) -> RegisteredFile? { files.first { $0.name == name } }
}

/// Look-up of dataset descriptions.
public enum DatasetRegistry {
    /// The description of `id`.
    public static func description(of id: DatasetID) -> DatasetDescription {
        switch id {
        case .mnist: return mnist
        case .fashionMNIST: return fashionMNIST
        case .notMNIST: return notMNIST
        case .cifar10: return cifar10
        case .cifar100: return cifar100
        case .bsd300: return bsd300
        }
    }

    /// Every dataset, in a stable order.
    public static var all: [DatasetDescription] { DatasetID.allCases.map(description(of:)) }

    /// Hashes accepted for a dataset file: the registry's, or BSD300's per-image table.
    static func knownHashes(dataset id: DatasetID, file name: String) -> [String] {
        if id == .bsd300 { return bsd300KnownHashes[name] ?? [] }
        return description(of: id).file(name)?.sha256 ?? []
    }

    // MARK: MNIST

    static let mnistMirrors = ["http://yann.lecun.com/exdb/mnist/", "https://ossci-datasets.s3.amazonaws.com/mnist/"]

    static let mnist = DatasetDescription(
        id: .mnist, name: "MNIST", folder: "mnist", systemFolders: [],
        files: [
            RegisteredFile("train-images-idx3-ubyte", size: 47_040_016,
                           sha256: ["ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db"]),
            RegisteredFile("train-labels-idx1-ubyte", size: 60_008,
                           sha256: ["65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5"]),
            RegisteredFile("t10k-images-idx3-ubyte", size: 7_840_016,
                           sha256: ["0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7"]),
            RegisteredFile("t10k-labels-idx1-ubyte", size: 10_008,
                           sha256: ["ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2"]),
        ],
        source: "http://yann.lecun.com/exdb/mnist/ (mirror https://ossci-datasets.s3.amazonaws.com/mnist/)",
        downloads: [
            ("train-images-idx3-ubyte", "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609"),
            ("train-labels-idx1-ubyte", "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c"),
            ("t10k-images-idx3-ubyte", "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6"),
            ("t10k-labels-idx1-ubyte", "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6"),
        ].map { name, hash in
            DownloadSource(urls: mnistMirrors.map { $0 + name + ".gz" }, archiveSHA256: hash,
                           unpacking: .gzipFile(file: name))
        },
        citation: "Y. LeCun, L. Bottou, Y. Bengio, P. Haffner. Gradient-based learning applied to document "
            + "recognition. Proceedings of the IEEE 86(11), 1998.")

    // MARK: Fashion-MNIST

    static let fashionMNISTBase = "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"

    static let fashionMNIST = DatasetDescription(
        id: .fashionMNIST, name: "Fashion-MNIST", folder: "fashion-mnist",
        systemFolders: ["/usr/share/datasets/fashion-mnist"],
        files: [
            RegisteredFile("train-images-idx3-ubyte", size: 47_040_016,
                           sha256: ["c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888"]),
            RegisteredFile("train-labels-idx1-ubyte", size: 60_008,
                           sha256: ["bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9"]),
            RegisteredFile("t10k-images-idx3-ubyte", size: 7_840_016,
                           sha256: ["5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b"]),
            RegisteredFile("t10k-labels-idx1-ubyte", size: 10_008,
                           sha256: ["0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34"]),
        ],
        source: "the Debian package dataset-fashion-mnist (apt-get install dataset-fashion-mnist) "
            + "or https://github.com/zalandoresearch/fashion-mnist (\(fashionMNISTBase))",
        downloads: ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte",
                    "t10k-labels-idx1-ubyte"].map { name in
            DownloadSource(urls: [fashionMNISTBase + name + ".gz"], archiveSHA256: nil,
                           unpacking: .gzipFile(file: name))
        },
        citation: "H. Xiao, K. Rasul, R. Vollgraf. Fashion-MNIST: a novel image dataset for benchmarking "
            + "machine learning algorithms. arXiv:1708.07747, 2017.")

    // MARK: notMNIST

    static let notMNISTBase = "https://github.com/davidflanagan/notMNIST-to-MNIST/raw/17823f4d4a3acd8317c07866702d2eb2ac79c7a0/"

    static let notMNIST = DatasetDescription(
        id: .notMNIST, name: "notMNIST", folder: "notmnist", systemFolders: [],
        files: [
            RegisteredFile("t10k-images-idx3-ubyte", size: 7_840_016,
                           sha256: ["8e7f38ae95cc8f48e0986175ffc9137e5007ebcf3d8fdf6656c904eb9dab198b"]),
            RegisteredFile("t10k-labels-idx1-ubyte", size: 10_008,
                           sha256: ["5f8e6012f2ce730700d8d05fca098bc47f71d25b890e4bec7ac5ebfd614a4001"]),
        ],
        source: "https://github.com/davidflanagan/notMNIST-to-MNIST (a 10,000-image sample of notMNIST_small "
            + "in MNIST IDX format)",
        downloads: [
            ("t10k-images-idx3-ubyte", "70ae9e06201f2827e5b0a3781a3169d735dd2efc69996b9eeaee7f10ed4044d7"),
            ("t10k-labels-idx1-ubyte", "1fa03836e01c862542f8eb83463bb951bebec6fcb3efa28dad748c6b38a9021b"),
        ].map { name, hash in
            DownloadSource(urls: [notMNISTBase + name + ".gz"], archiveSHA256: hash, unpacking: .gzipFile(file: name))
        },
        citation: "Y. Bulatov. notMNIST dataset, 2011. "
            + "http://yaroslavvb.blogspot.com/2011/09/notmnist-dataset.html")

    // MARK: CIFAR-10

    static let cifar10 = DatasetDescription(
        id: .cifar10, name: "CIFAR-10", folder: "cifar10", systemFolders: [],
        files: [
            RegisteredFile("data_batch_1.bin", size: 30_730_000,
                           sha256: ["cee916563c9f80d84e3cc88e17fdc0941787f1244f00a67874d45b261883ada5"]),
            // Batches 2–5: only MD5 prefixes are recorded, so their content is checked structurally.
            RegisteredFile("data_batch_2.bin", size: 30_730_000),
            RegisteredFile("data_batch_3.bin", size: 30_730_000),
            RegisteredFile("data_batch_4.bin", size: 30_730_000),
            RegisteredFile("data_batch_5.bin", size: 30_730_000),
            RegisteredFile("test_batch.bin", size: 30_730_000,
                           sha256: ["8e2eb146ae340b09e24670f29cabc6326dba54da8789dab6768acf480273f65b"]),
            RegisteredFile("batches.meta.txt", size: 61,
                           sha256: ["558e74b5e208382e186da55784b4bac2cd52e558448e1b5800990fdb28ed8033"]),
        ],
        source: "https://www.cs.toronto.edu/~kriz/cifar.html (cifar-10-binary.tar.gz)",
        downloads: [
            DownloadSource(urls: ["https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz"], archiveSHA256: nil,
                           unpacking: .tarGz(members: Dictionary(uniqueKeysWithValues:
                               ["data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin",
                                "data_batch_5.bin", "test_batch.bin", "batches.meta.txt"].map {
                                   ("cifar-10-batches-bin/" + $0, $0) }))),
        ],
        citation: "A. Krizhevsky. Learning Multiple Layers of Features from Tiny Images. Technical report, "
            + "University of Toronto, 2009.")

    // MARK: CIFAR-100

    static let cifar100 = DatasetDescription(
        id: .cifar100, name: "CIFAR-100", folder: "cifar100", systemFolders: [],
        files: [
            // As listed by one public loader; not yet cross-checked (../shared/data/README.md, Gaps).
            RegisteredFile("train.bin", size: 50_000 * 3074,
                           sha256: ["f31298fc616915fa142368359df1c4ca2ae984d6915ca468b998a5ec6aeebf29"]),
            RegisteredFile("test.bin", size: 10_000 * 3074,
                           sha256: ["d8b1e6b7b3bee4020055f0699b111f60b1af1e262aeb93a0b659061746f8224a"]),
            // The official name files' bytes are unknown (the shared copies drop a trailing blank
            // line), so names are checked by count only.
            RegisteredFile("fine_label_names.txt"),
            RegisteredFile("coarse_label_names.txt"),
        ],
        source: "https://www.cs.toronto.edu/~kriz/cifar.html (cifar-100-binary.tar.gz)",
        downloads: [
            DownloadSource(urls: ["https://www.cs.toronto.edu/~kriz/cifar-100-binary.tar.gz"], archiveSHA256: nil,
                           unpacking: .tarGz(members: Dictionary(uniqueKeysWithValues:
                               ["train.bin", "test.bin", "fine_label_names.txt", "coarse_label_names.txt"].map {
                                   ("cifar-100-binary/" + $0, $0) }))),
        ],
        citation: "A. Krizhevsky. Learning Multiple Layers of Features from Tiny Images. Technical report, "
            + "University of Toronto, 2009.")

    // MARK: BSD300

    static let bsd300 = DatasetDescription(
        id: .bsd300, name: "BSD300", folder: "bsd300", systemFolders: [],
        files: [
            RegisteredFile("iids_train.txt"), RegisteredFile("iids_test.txt"),
            RegisteredFile("images/train/"), RegisteredFile("images/test/"),
        ],
        source: "https://www2.eecs.berkeley.edu/Research/Projects/CS/vision/bsds/BSDS300-images.tgz",
        downloads: [
            DownloadSource(urls: ["https://www2.eecs.berkeley.edu/Research/Projects/CS/vision/bsds/BSDS300-images.tgz"],
                           archiveSHA256: nil,
                           unpacking: .tarGz(members: [
                               "BSDS300/iids_train.txt": "iids_train.txt", "BSDS300/iids_test.txt": "iids_test.txt",
                               "BSDS300/images/train/": "images/train/", "BSDS300/images/test/": "images/test/",
                           ])),
        ],
        citation: "D. Martin, C. Fowlkes, D. Tal, J. Malik. A Database of Human Segmented Natural Images and its "
            + "Application to Evaluating Segmentation Algorithms and Measuring Ecological Statistics. ICCV 2001.")
}
