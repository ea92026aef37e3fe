from visiobook_scaffold.cli import main

main()
