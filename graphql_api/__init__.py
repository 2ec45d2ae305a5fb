"""graphql_api package."""
