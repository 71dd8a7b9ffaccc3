// swift-tools-version:6.0
// A literate reproduction of Shridhar, Laumann & Liwicki (2019),
// "A Comprehensive Guide to Bayesian Convolutional Neural Network with Variational Inference".
import PackageDescription

/// Hot numeric targets are compiled optimised even in debug builds, so that `swift test`
/// and `swift run` stay fast while the rest of the package keeps debug information.
let optimised: [SwiftSetting] = [
    .unsafeFlags(["-Ounchecked", "-target-cpu", "native", "-Xcc", "-fno-math-errno", "-Xcc", "-march=native"]),
]
let argumentParser: Target.Dependency = .product(name: "ArgumentParser", package: "swift-argument-parser")

/// A chapter: an executable target whose folder also holds its woven README.md.
func chapter(_ number: Int, _ folder: String) -> Target {
    .executableTarget(name: "chapter\(number)",
                      dependencies: ["Engine", "NN", "Bayes", "Datasets", "Models", "Training", "Notebook", argumentParser],
                      path: "chapters/\(folder)", exclude: ["README.md"], swiftSettings: optimised)
}

let package = Package(
    name: "BayesianCNN",
    products: [
        .library(name: "Engine", targets: ["Engine"]),
        .library(name: "NN", targets: ["NN"]),
        .library(name: "Bayes", targets: ["Bayes"]),
        .library(name: "Datasets", targets: ["Datasets"]),
        .library(name: "Models", targets: ["Models"]),
        .library(name: "Notebook", targets: ["Notebook"]),
        .library(name: "Training", targets: ["Training"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
    ],
    targets: [
        // System libraries: a module map and a shim header each.
        .systemLibrary(name: "CBLAS", path: "Sources/CBLAS"),
        .systemLibrary(name: "CPNG", path: "Sources/CPNG"),
        .systemLibrary(name: "CZlib", path: "Sources/CZlib"),
        // libjpeg-turbo's TurboJPEG API (Debian: libturbojpeg0-dev): JPEG errors by return value.
        .systemLibrary(name: "CTurboJPEG", path: "Sources/CTurboJPEG"),

        // Tensors, kernels, reverse-mode autograd, RNG.
        .target(name: "Engine", dependencies: ["CBLAS"], swiftSettings: optimised),
        // Modules, layers, losses, optimizers, checkpoints.
        .target(name: "NN", dependencies: ["Engine"], swiftSettings: optimised),
        // Bayesian layers, priors, KL, ELBO, predictive, uncertainty, calibration, pruning.
        .target(name: "Bayes", dependencies: ["Engine", "NN"], swiftSettings: optimised),
        // File formats, registry with checksums and download, batching, augmentation.
        .target(name: "Datasets", dependencies: ["Engine", "CZlib", "CPNG", "CTurboJPEG",
                                                 .product(name: "Crypto", package: "swift-crypto")],
                swiftSettings: optimised),
        // LeNet-5, AlexNet, 3Conv3FC and the other chapters' networks.
        .target(name: "Models", dependencies: ["Engine", "NN", "Bayes"], swiftSettings: optimised),
        // The classification training loop shared by chapters 3–5: ELBO or cross-entropy, β schedules,
        // Monte Carlo validation, learning-rate schedule, checkpoints with resume.
        .target(name: "Training", dependencies: ["Engine", "NN", "Bayes", "Datasets", "Models", "Notebook"],
                swiftSettings: optimised),
        // PNG, image grids, gnuplot figures, results, progress, chapter options, the weaver.
        .target(name: "Notebook", dependencies: ["Engine", "CPNG", argumentParser]),

        .executableTarget(name: "bench", dependencies: ["Engine", "NN", "Bayes", "Models"],
                          path: "Sources/bench", swiftSettings: optimised),

        .executableTarget(name: "fetch-data", dependencies: ["Datasets"], path: "Sources/fetch-data"),

        chapter(1, "01-toy-regression"),
        chapter(2, "02-bayesian-layers"),
        chapter(3, "03-classification"),
        chapter(4, "04-uncertainty"),
        chapter(5, "05-pruning"),

        .testTarget(name: "EngineTests", dependencies: ["Engine"]),
        .testTarget(name: "NNTests", dependencies: ["Engine", "NN"]),
        .testTarget(name: "BayesTests", dependencies: ["Engine", "NN", "Bayes"]),
        .testTarget(name: "ModelsTests", dependencies: ["Engine", "NN", "Bayes", "Models", "Datasets"]),
        .testTarget(name: "TrainingTests", dependencies: ["Engine", "NN", "Bayes", "Datasets", "Models", "Training", "Notebook"]),
        .testTarget(name: "DatasetsTests", dependencies: ["Engine", "Datasets"]),
        .testTarget(name: "NotebookTests", dependencies: ["Engine", "Notebook"]),
        .testTarget(name: "ChapterTests", dependencies: ["Engine", "Notebook"]),
    ]
)
