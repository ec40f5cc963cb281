from portail_cli.main import main

main()
