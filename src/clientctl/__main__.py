from clientctl.cli import main

main()
