"""Write the first draft of a new process: one pool, one lane, start, one task, end, drawn.

It passes the upload's lint as it is (the task names its agency, sits in a lane), so a designer
starts from something that deploys and changes it step by step, each step checked.
"""

import re
from xml.sax.saxutils import quoteattr

from engine.diagram import lay_out
from engine.errors import Invalid

PROCESS_ID = re.compile(r"^[a-z][a-z0-9_]{2,63}$")
TEMPLATE = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
                  xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"
                  id="Definitions_{id}" targetNamespace="https://dunghan.gov.vn/bpmn">
  <bpmn:collaboration id="Collaboration_{id}">
    <bpmn:participant id="Participant_{id}" name={name} processRef="{id}" />
  </bpmn:collaboration>
  <bpmn:process id="{id}" name={name} isExecutable="true">
    <bpmn:laneSet id="LaneSet_{id}">
      <bpmn:lane id="Lane_lead" name="Cơ quan chủ trì">
        <bpmn:flowNodeRef>start</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>first_step</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>end</bpmn:flowNodeRef>
      </bpmn:lane>
    </bpmn:laneSet>
    <bpmn:startEvent id="start" name="Bắt đầu" />
    <bpmn:userTask id="first_step" name="Bước thứ nhất">
      <bpmn:extensionElements>
        <spiffworkflow:properties>
          <spiffworkflow:property name="agency" value="lead_agency" />
          <spiffworkflow:property name="deadline" value="5 working_days" />
        </spiffworkflow:properties>
      </bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:endEvent id="end" name="Kết thúc" />
    <bpmn:sequenceFlow id="flow_start" sourceRef="start" targetRef="first_step" />
    <bpmn:sequenceFlow id="flow_end" sourceRef="first_step" targetRef="end" />
  </bpmn:process>
</bpmn:definitions>
"""


def blank_process(process_id: str, name: str) -> bytes:
    """Return a new process's first draft, with its diagram; refuse an unusable id or name."""
    if not PROCESS_ID.match(process_id):
        raise Invalid("Mã quy trình gồm 3-64 chữ thường không dấu, số và dấu gạch dưới, bắt đầu "
                      "bằng chữ, ví dụ cap_phep_xay_dung")
    if not name.strip() or len(name) > 255:
        raise Invalid("Tên quy trình không được để trống (tối đa 255 ký tự)")
    text = TEMPLATE.format(id=process_id, name=quoteattr(name.strip()))
    return lay_out(text.encode())
