// TimingTests.swift — load and batching times on the real data, printed when DATASETS_TIMING=1
// (a measurement for `make bench`, not a pass/fail check).

import Datasets
import Engine
import Foundation
import Testing

let timingRequested = ProcessInfo.processInfo.environment["DATASETS_TIMING"] == "1"

func seconds(_ body: () throws -> Void) rethrows -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

@Suite(.serialized) struct TimingTests {
    @Test(.enabled(if: timingRequested && mnistPresent && cifar10TestPresent, "set DATASETS_TIMING=1 (needs MNIST and CIFAR-10)"))
    func loadAndEpochTimes() throws {
        var mnist: ImageDataset!
        let mnistFirst = try seconds { mnist = try MNIST.load(split: .train, from: sharedData) }
        let mnistAgain = try seconds { mnist = try MNIST.load(split: .train, from: sharedData) }
        var cifar: ImageDataset!
        let cifarLoad = try seconds { cifar = try CIFAR10.load(split: .test, from: sharedData) }
        var mnist32: ImageDataset!
        let preResize = seconds { mnist32 = mnist.applyingGeometry(.resize(height: 32, width: 32, filter: .bilinear)) }
        print("MNIST train load: \(mnistFirst) s first (with SHA-256), \(mnistAgain) s again; CIFAR-10 test load: \(cifarLoad) s; "
              + "MNIST pre-resize to 32: \(preResize) s")
        let plain = DataLoader(dataset: mnist32, batchSize: 128, generator: RandomGenerator(seed: 1))
        print("MNIST epoch of pre-resized images: \(seconds { for batch in plain.epoch() { _ = batch.count } }) s")
        for prefetch in [false, true] {
            // A stand-in for training work per batch, so prefetch has something to overlap.
            func work(_ batch: Batch) { var s: Float = 0; for _ in 0..<3 { for v in batch.images.buffer { s += v * v } }; _ = s }
            let mnistLoader = DataLoader(dataset: mnist, batchSize: 128, transform: .mnistLeNet, generator: RandomGenerator(seed: 1), prefetch: prefetch)
            let cifarLoader = DataLoader(dataset: cifar, batchSize: 128, transform: .cifarAugmented(normalized: true),
                                         generator: RandomGenerator(seed: 1), prefetch: prefetch)
            let mnistEpoch = seconds { for batch in mnistLoader.epoch() { _ = batch.count } }
            let cifarEpoch = seconds { for batch in cifarLoader.epoch() { _ = batch.count } }
            let cifarWithWork = seconds { for batch in cifarLoader.epoch() { work(batch) } }
            print("prefetch \(prefetch): MNIST epoch (resize 32) \(mnistEpoch) s; CIFAR-10 test epoch (crop+flip+norm) "
                  + "\(cifarEpoch) s, with stand-in work \(cifarWithWork) s")
        }
    }
}
