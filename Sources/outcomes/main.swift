import OutcomesCLI

OutcomesCLI.main()
