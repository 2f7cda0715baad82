"""Test support: store doubles and helpers shared by the test layers."""
