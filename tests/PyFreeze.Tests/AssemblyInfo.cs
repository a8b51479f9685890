// End-to-end tests start real interpreters and builds; two at a time keeps 2 cores busy without thrashing.
[assembly: CollectionBehavior(MaxParallelThreads = 2)]
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
