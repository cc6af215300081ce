from glutewake.cli import main

main(prog_name="glutewake")
