"""The demo platform: assembles every floor (surveys, scoring, planning) into seeded data."""
