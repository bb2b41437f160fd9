"""An upload/download plugin written in flytekit's style, modelled on flytekitplugins-openai's batch
plugin (``batch/task.py``).

There is no network: the "API" is :class:`FakeBatchClient`, a local stand-in for ``openai.OpenAI``
that the executors call as the real ones call the client. ``UploadJSONLFileTask`` reads a
``JSONLFile`` and returns the id the API gives the uploaded file; ``DownloadJSONFilesTask`` reads the
requests, "runs" the batch and returns a dataclass of ``Optional[JSONLFile]`` (an output file for
the requests that succeeded, an error file for those that failed, each ``None`` when empty). Both
take the API key from a secret.

``tests/porting/test_port_plugins.py`` makes the flyweight version of this file by rewriting only
its import lines. Keep every flytekit-specific name in the imports.
"""

# flytekitplugins-openai's own style (typing.Dict, a plain class-level dict, zip without strict), kept
# as plugin authors write it:
# ruff: noqa: UP006, UP035, RUF012, B905

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

from flytekit import Resources, current_context, kwtypes, task, workflow
from flytekit.configuration import SerializationSettings
from flytekit.configuration.default_images import DefaultImages, PythonVersion
from flytekit.core.interface import Interface
from flytekit.core.python_customized_container_task import PythonCustomizedContainerTask
from flytekit.core.shim_task import ShimTaskExecutor
from flytekit.models.security import Secret
from flytekit.models.task import TaskTemplate
from flytekit.types.file import JSONLFile
from mashumaro.mixins.json import DataClassJSONMixin


@dataclass
class BatchResult(DataClassJSONMixin):
    output_file: Optional[JSONLFile] = None
    error_file: Optional[JSONLFile] = None


class FakeBatchClient:
    """What the executors call instead of ``openai.OpenAI`` (files and batches, no network)."""

    def __init__(self, api_key: str, organization: Optional[str] = None):
        if not api_key.startswith("sk-"):
            raise PermissionError("invalid API key: expected a key starting with 'sk-'")
        self.organization = organization or "personal"

    @staticmethod
    def file_id(data: bytes) -> str:
        return "file-" + hashlib.sha256(data).hexdigest()[:16]

    def create_file(self, data: bytes) -> str:
        lines = [json.loads(line) for line in data.decode().splitlines() if line.strip()]
        if not lines:
            raise ValueError("the batch input file holds no requests")
        return self.file_id(data)

    def run_batch(self, data: bytes, input_file_id: str) -> Tuple[List[dict], List[dict]]:
        if input_file_id != self.file_id(data):
            raise ValueError(f"unknown input file {input_file_id!r}")
        outputs, errors = [], []
        for line in data.decode().splitlines():
            if not line.strip():
                continue
            request = json.loads(line)
            content = request["body"]["messages"][-1]["content"]
            if not content:
                errors.append({"custom_id": request["custom_id"], "error": {"code": "empty_prompt"}})
                continue
            answer = {"role": "assistant", "content": content.upper()}
            outputs.append(
                {"custom_id": request["custom_id"], "org": self.organization, "response": {"message": answer}}
            )
        return outputs, errors


class BatchDefaultImages(DefaultImages):
    """Default images for this batch plugin."""

    _DEFAULT_IMAGE_PREFIXES = {
        PythonVersion.PYTHON_3_10: "ghcr.io/acme/porting:py3.10-batch-",
        PythonVersion.PYTHON_3_11: "ghcr.io/acme/porting:py3.11-batch-",
        PythonVersion.PYTHON_3_12: "ghcr.io/acme/porting:py3.12-batch-",
    }


@dataclass
class BatchFileConfig:
    secret: Secret
    organization: Optional[str] = None

    def _secret_to_dict(self) -> Dict[str, Optional[str]]:
        return {
            "group": self.secret.group,
            "key": self.secret.key,
            "group_version": self.secret.group_version,
            "mount_requirement": self.secret.mount_requirement.value,
        }


def _client(tt: TaskTemplate) -> FakeBatchClient:
    secret = tt.custom["secret_arg"]
    return FakeBatchClient(
        organization=tt.custom["organization"],
        api_key=current_context().secrets.get(
            group=secret["group"],
            key=secret["key"],
            group_version=secret["group_version"],
        ),
    )


class UploadJSONLFileTask(PythonCustomizedContainerTask[BatchFileConfig]):
    _UPLOAD_JSONL_FILE_TASK_TYPE = "porting-batch-upload-file"

    def __init__(
        self,
        name: str,
        task_config: BatchFileConfig,
        container_image: str = BatchDefaultImages.find_image_for(),
        **kwargs: Any,
    ):
        super().__init__(
            name=name,
            task_config=task_config,
            task_type=self._UPLOAD_JSONL_FILE_TASK_TYPE,
            executor_type=UploadJSONLFileExecutor,
            container_image=container_image,
            requests=Resources(mem="700Mi"),
            interface=Interface(inputs=kwtypes(jsonl_in=JSONLFile), outputs=kwtypes(result=str)),
            secret_requests=[task_config.secret],
            **kwargs,
        )

    def get_custom(self, settings: SerializationSettings) -> Dict[str, Any]:
        return {
            "organization": self.task_config.organization,
            "secret_arg": self.task_config._secret_to_dict(),
        }


class UploadJSONLFileExecutor(ShimTaskExecutor[UploadJSONLFileTask]):
    def execute_from_model(self, tt: TaskTemplate, **kwargs: Any) -> Any:
        client = _client(tt)
        local_jsonl_file = kwargs["jsonl_in"].download()
        with open(local_jsonl_file, "rb") as f:
            return client.create_file(f.read())


class DownloadJSONFilesTask(PythonCustomizedContainerTask[BatchFileConfig]):
    _DOWNLOAD_JSON_FILES_TASK_TYPE = "porting-batch-download-files"

    def __init__(
        self,
        name: str,
        task_config: BatchFileConfig,
        container_image: str = BatchDefaultImages.find_image_for(),
        **kwargs: Any,
    ):
        super().__init__(
            name=name,
            task_config=task_config,
            task_type=self._DOWNLOAD_JSON_FILES_TASK_TYPE,
            executor_type=DownloadJSONFilesExecutor,
            container_image=container_image,
            requests=Resources(mem="700Mi"),
            interface=Interface(
                inputs=kwtypes(jsonl_in=JSONLFile, batch_endpoint_result=Dict),
                outputs=kwtypes(result=BatchResult),
            ),
            secret_requests=[task_config.secret],
            **kwargs,
        )

    def get_custom(self, settings: SerializationSettings) -> Dict[str, Any]:
        return {
            "organization": self.task_config.organization,
            "secret_arg": self.task_config._secret_to_dict(),
        }


class DownloadJSONFilesExecutor(ShimTaskExecutor[DownloadJSONFilesTask]):
    def execute_from_model(self, tt: TaskTemplate, **kwargs: Any) -> Any:
        client = _client(tt)
        with open(kwargs["jsonl_in"].download(), "rb") as f:
            data = f.read()
        outputs, errors = client.run_batch(data, kwargs["batch_endpoint_result"]["input_file_id"])

        batch_result = BatchResult()
        working_dir = current_context().working_directory
        for file_name, records in zip(("output_file", "error_file"), (outputs, errors)):
            if records:
                file_path = str(Path(working_dir, file_name).with_suffix(".jsonl"))
                with open(file_path, "w") as f:
                    f.writelines(json.dumps(r, sort_keys=True) + "\n" for r in records)
                setattr(batch_result, file_name, JSONLFile(file_path))
        return batch_result


SECRET = Secret(group="batch", key="api-key")

upload_file = UploadJSONLFileTask(
    name="porting.batch.upload",
    task_config=BatchFileConfig(secret=SECRET, organization="acme"),
)
download_files = DownloadJSONFilesTask(
    name="porting.batch.download",
    task_config=BatchFileConfig(secret=SECRET, organization="acme"),
)


@task
def batch_endpoint(input_file_id: str) -> Dict:
    return {"input_file_id": input_file_id, "status": "completed"}


@task
def count_lines(result: BatchResult) -> List[int]:
    counts = []
    for f in (result.output_file, result.error_file):
        counts.append(0 if f is None else len(Path(f.download()).read_text().splitlines()))
    return counts


@workflow
def batch_wf(jsonl_in: JSONLFile) -> Tuple[BatchResult, List[int]]:
    file_id = upload_file(jsonl_in=jsonl_in)
    result = download_files(jsonl_in=jsonl_in, batch_endpoint_result=batch_endpoint(input_file_id=file_id))
    return result, count_lines(result=result)
