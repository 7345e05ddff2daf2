"""newsflow: serverless news ingestion (feeds -> SQS -> Lambda -> DynamoDB -> search -> API)."""

__version__ = "0.1.0"
