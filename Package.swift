// swift-tools-version:6.0
// A literate reproduction of Shridhar, Laumann & Liwicki (2019),
// "A Comprehensive Guide to Bayesian Convolutional Neural Network with Variational Inference".
import PackageDescription

/// Hot numeric targets are compiled optimised even in debug builds, so that `swift test`
/// and `swift run` stay fast while the rest of the package keeps debug information.
let optimised: [SwiftSetting] = [
    .unsafeFlags(["-Ounchecked", "-target-cpu", "native", "-Xcc", "-fno-math-errno", "-Xcc", "-march=native"]),
]

let package = Package(
    name: "BayesianCNN",
    products: [
        .library(name: "Engine", targets: ["Engine"]),
        .library(name: "NN", targets: ["NN"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // System libraries: a module map and a shim header each.
        .systemLibrary(name: "CBLAS", path: "Sources/CBLAS"),
        .systemLibrary(name: "CPNG", path: "Sources/CPNG"),
        .systemLibrary(name: "CJPEG", path: "Sources/CJPEG"),
        .systemLibrary(name: "CZlib", path: "Sources/CZlib"),

        // The engine: tensors, kernels, reverse-mode autograd, RNG.
        .target(name: "Engine", dependencies: ["CBLAS"], swiftSettings: optimised),
        // Modules, layers, losses, optimizers, checkpoints.
        .target(name: "NN", dependencies: ["Engine"], swiftSettings: optimised),

        .executableTarget(name: "bench", dependencies: ["Engine", "NN"], path: "Sources/bench",
                          swiftSettings: optimised),

        .testTarget(name: "EngineTests", dependencies: ["Engine"]),
        .testTarget(name: "NNTests", dependencies: ["Engine", "NN"]),
    ]
)
