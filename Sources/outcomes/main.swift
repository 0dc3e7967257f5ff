import OutcomesCLI
import Tabular

MemoryPolicy.returnFreedBlocks()
OutcomesCLI.main()
