"""The integration tester's toolkit: replay fixtures to a hub, run scripted scenarios, report."""
